using Crm.SharedKernel.Audit;

namespace Crm.Modules.Identity.Domain;

/// <summary>
/// An integration's credential. The secret is shown once at creation; only its SHA-256 is stored (the
/// secret is 256 random bits, so a fast hash is safe). The prefix identifies the key in look-ups and logs.
/// </summary>
[AuditEntityType("apiKey")]
internal sealed class ApiKey : IAuditable
{
    private ApiKey()
    {
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; } = string.Empty;

    public string Prefix { get; private set; } = string.Empty;

    [AuditRedacted]
    public string SecretHash { get; private set; } = string.Empty;

    public List<string> Scopes { get; private set; } = [];

    public Guid CreatedBy { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? ExpiresAt { get; private set; }

    public DateTimeOffset? LastUsedAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public uint Version { get; private set; }

    public static ApiKey Create(string name, string prefix, string secretHash, IEnumerable<string> scopes, Guid createdBy, DateTimeOffset? expiresAt, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Name = name.Trim(),
        Prefix = prefix,
        SecretHash = secretHash,
        Scopes = scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
        CreatedBy = createdBy,
        CreatedAt = now,
        ExpiresAt = expiresAt,
    };

    public bool IsUsable(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;
}
