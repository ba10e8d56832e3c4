namespace Crm.Modules.Identity.Domain;

/// <summary>
/// A refresh token, stored only as its SHA-256. Every refresh rotates it within its family; presenting a
/// rotated (revoked) token again means it leaked, and the whole family is revoked.
/// </summary>
internal sealed class RefreshToken
{
    private RefreshToken()
    {
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    public string TokenHash { get; private set; } = string.Empty;

    public Guid FamilyId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public static RefreshToken Issue(Guid userId, string tokenHash, Guid? familyId, DateTimeOffset now, TimeSpan lifetime)
    {
        var id = Guid.CreateVersion7(now);
        return new RefreshToken
        {
            Id = id,
            UserId = userId,
            TokenHash = tokenHash,
            FamilyId = familyId ?? id,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        };
    }

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && ExpiresAt > now;

    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;
}
