using Crm.SharedKernel.Audit;

namespace Crm.Modules.Identity.Domain;

/// <summary>
/// A person who signs in. Deactivation keeps the user (their records and history stay theirs) but stops
/// every sign-in and, through the security stamp, every token already issued.
/// </summary>
[AuditEntityType("user")]
internal sealed class User : IAuditable
{
    private User()
    {
    }

    public Guid Id { get; private set; }

    public string Email { get; private set; } = string.Empty;

    /// <summary>Lower-case email, unique: sign-in and look-ups are case-insensitive.</summary>
    public string NormalizedEmail { get; private set; } = string.Empty;

    public string Name { get; private set; } = string.Empty;

    public string? Phone { get; private set; }

    public bool Active { get; private set; }

    public Guid? TeamId { get; private set; }

    public Guid? ManagerId { get; private set; }

    public List<string> Roles { get; private set; } = [];

    [AuditRedacted]
    public string? PasswordHash { get; private set; }

    /// <summary>Changes whenever credentials or standing change; tokens carrying an older stamp stop working.</summary>
    [AuditRedacted]
    public string SecurityStamp { get; private set; } = NewStamp();

    /// <summary>Not audited: every failed sign-in would otherwise write an entry; the lockout it leads to is.</summary>
    [AuditIgnored]
    public int FailedLoginCount { get; private set; }

    public DateTimeOffset? LockedUntil { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public DateTimeOffset? DeactivatedAt { get; private set; }

    public uint Version { get; private set; }

    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    public static User Create(string email, string name, string? phone, IEnumerable<string> roles, Guid? teamId, Guid? managerId, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Email = email.Trim(),
        NormalizedEmail = Normalize(email),
        Name = name.Trim(),
        Phone = phone,
        Roles = roles.Distinct(StringComparer.Ordinal).ToList(),
        TeamId = teamId,
        ManagerId = managerId,
        Active = true,
        CreatedAt = now,
        UpdatedAt = now,
    };

    public void Update(string name, string? phone, Guid? teamId, Guid? managerId, IEnumerable<string> roles, DateTimeOffset now)
    {
        var newRoles = roles.Distinct(StringComparer.Ordinal).ToList();
        if (!newRoles.SequenceEqual(Roles) || teamId != TeamId)
        {
            // Role and team are in the token: make existing tokens re-issue with the new standing.
            SecurityStamp = NewStamp();
        }

        Name = name.Trim();
        Phone = phone;
        TeamId = teamId;
        ManagerId = managerId;
        Roles = newRoles;
        UpdatedAt = now;
    }

    public void SetPasswordHash(string hash, DateTimeOffset now)
    {
        PasswordHash = hash;
        SecurityStamp = NewStamp();
        FailedLoginCount = 0;
        LockedUntil = null;
        UpdatedAt = now;
    }

    /// <summary>Replaces the hash after a successful sign-in when the hasher asks for a stronger one; sessions stay valid.</summary>
    public void UpgradePasswordHash(string hash) => PasswordHash = hash;

    public bool IsLockedOut(DateTimeOffset now) => LockedUntil is { } until && until > now;

    public void RecordFailedSignIn(DateTimeOffset now, int maxAttempts, TimeSpan lockout)
    {
        FailedLoginCount++;
        if (FailedLoginCount >= maxAttempts)
        {
            LockedUntil = now + lockout;
            FailedLoginCount = 0;
        }
    }

    public void RecordSuccessfulSignIn()
    {
        FailedLoginCount = 0;
        LockedUntil = null;
    }

    /// <summary>Signs the user out everywhere: every token issued so far stops working.</summary>
    public void RevokeSessions(DateTimeOffset now)
    {
        SecurityStamp = NewStamp();
        UpdatedAt = now;
    }

    public void Deactivate(DateTimeOffset now)
    {
        Active = false;
        DeactivatedAt = now;
        RevokeSessions(now);
    }

    public void Reactivate(DateTimeOffset now)
    {
        Active = true;
        DeactivatedAt = null;
        UpdatedAt = now;
    }

    private static string NewStamp() => Guid.NewGuid().ToString("N");
}
