using System.Security.Claims;
using Crm.Modules.Identity.Data;
using Crm.Modules.Identity.Domain;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Crm.Modules.Identity.Auth;

/// <summary>The token pair returned by sign-in and refresh.</summary>
/// <param name="AccessToken">A JWT to send as <c>Authorization: Bearer</c>.</param>
/// <param name="RefreshToken">Exchanged at <c>POST /api/v1/auth/refresh</c> for a new pair; single use.</param>
/// <param name="ExpiresIn">Seconds until the access token expires.</param>
/// <param name="TokenType">Always <c>Bearer</c>.</param>
internal sealed record TokenResponse(string AccessToken, string RefreshToken, int ExpiresIn, string TokenType);

/// <summary>Issues access tokens (signed JWTs) and rotating refresh tokens.</summary>
internal sealed class TokenService(IOptions<JwtOptions> options, TimeProvider time)
{
    public const string SecurityStampClaim = "sstamp";

    private readonly JwtOptions _options = options.Value;
    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>Adds a refresh token to <paramref name="db"/> (saved by the caller) and returns the pair.</summary>
    public TokenResponse Issue(IdentityDbContext db, User user, Guid? refreshFamily = null)
    {
        var now = time.UtcNow();
        var refreshSecret = SecretHashing.NewSecret();
        db.RefreshTokens.Add(RefreshToken.Issue(user.Id, SecretHashing.Hash(refreshSecret), refreshFamily, now, _options.RefreshTokenLifetime));
        return new TokenResponse(CreateAccessToken(user, now), refreshSecret, (int)_options.AccessTokenLifetime.TotalSeconds, "Bearer");
    }

    public string CreateAccessToken(User user, DateTimeOffset now)
    {
        var claims = new List<Claim>
        {
            new(CrmClaimTypes.Subject, user.Id.ToString()),
            new(CrmClaimTypes.Name, user.Name),
            new(CrmClaimTypes.Email, user.Email),
            new(CrmClaimTypes.ActorKind, HttpCurrentActor.UserKind),
            new(SecurityStampClaim, user.SecurityStamp),
            new(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
        };
        claims.AddRange(user.Roles.Select(role => new Claim(CrmClaimTypes.Role, role)));
        if (user.TeamId is { } team)
        {
            claims.Add(new Claim(CrmClaimTypes.Team, team.ToString()));
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + _options.AccessTokenLifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(_options.SigningKeyBytes), SecurityAlgorithms.HmacSha256),
        });
    }
}
