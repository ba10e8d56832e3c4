using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>An agent, distributor (代理商) or other partner (合作伙伴) who brings or handles leads, deals and orders.</summary>
[AuditEntityType("partner")]
internal sealed class Partner : IAuditable, IOwnedRecord
{
    private Partner()
    {
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; } = string.Empty;

    public PartnerKind Kind { get; private set; }

    public string? Province { get; private set; }

    public string? ContactName { get; private set; }

    public string? Phone { get; private set; }

    public string? Email { get; private set; }

    public bool Active { get; private set; }

    /// <summary>The channel manager responsible for the partner.</summary>
    public Guid? OwnerId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public static Partner Create(string name, PartnerKind kind, Guid? ownerId, DateTimeOffset now) =>
        new() { Id = Guid.CreateVersion7(now), Name = name.Trim(), Kind = kind, OwnerId = ownerId, Active = true, CreatedAt = now, UpdatedAt = now };

    /// <summary>Replaces the editable fields (blank strings become null).</summary>
    public void Update(string name, PartnerKind kind, string? province, string? contactName, string? phone, string? email, bool active, Guid? ownerId, DateTimeOffset now)
    {
        Name = name.Trim();
        Kind = kind;
        Province = Clean(province);
        ContactName = Clean(contactName);
        Phone = Clean(phone);
        Email = Clean(email)?.ToLowerInvariant();
        Active = active;
        OwnerId = ownerId;
        UpdatedAt = now;
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>What the partner is to us.</summary>
internal enum PartnerKind
{
    /// <summary>代理商: sells on our behalf for a commission.</summary>
    Agent,

    /// <summary>经销商: buys and resells.</summary>
    Distributor,

    /// <summary>合作伙伴: implementation, technology or referral partner.</summary>
    Partner,
}
