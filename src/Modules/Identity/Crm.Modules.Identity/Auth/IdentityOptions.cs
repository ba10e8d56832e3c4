using System.Text;

namespace Crm.Modules.Identity.Auth;

/// <summary>Token settings (section <c>Identity:Jwt</c>).</summary>
internal sealed class JwtOptions
{
    public const string Section = "Identity:Jwt";

    public string Issuer { get; set; } = "crm";

    public string Audience { get; set; } = "crm-api";

    /// <summary>HMAC-SHA256 key of the built-in issuer, at least 32 bytes of text. Required unless <see cref="Authority"/> is set.</summary>
    public string? SigningKey { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// An external OpenID Connect authority (e.g. Keycloak, Entra ID) to accept tokens from instead of the
    /// built-in issuer. Its tokens must carry an <c>email</c> claim naming an active local user, whose roles apply.
    /// </summary>
    public string? Authority { get; set; }

    public bool UsesExternalAuthority => !string.IsNullOrWhiteSpace(Authority);

    public byte[] SigningKeyBytes => Encoding.UTF8.GetBytes(SigningKey ?? string.Empty);

    public bool IsValid(out string problem)
    {
        problem = string.Empty;
        if (!UsesExternalAuthority && SigningKeyBytes.Length < 32)
        {
            problem = "Identity:Jwt:SigningKey must be set to at least 32 characters (or Identity:Jwt:Authority to an external OpenID Connect authority).";
        }
        else if (AccessTokenLifetime <= TimeSpan.Zero || RefreshTokenLifetime <= AccessTokenLifetime)
        {
            problem = "Identity:Jwt: AccessTokenLifetime must be positive and shorter than RefreshTokenLifetime.";
        }

        return problem.Length == 0;
    }
}

/// <summary>Sign-in lockout (section <c>Identity:Lockout</c>).</summary>
internal sealed class SignInLockoutOptions
{
    public const string Section = "Identity:Lockout";

    public int MaxFailedAttempts { get; set; } = 5;

    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(15);
}
