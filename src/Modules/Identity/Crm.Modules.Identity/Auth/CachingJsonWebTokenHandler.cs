using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Crm.Modules.Identity.Auth;

/// <summary>
/// The JWT bearer handler's token handler, remembering tokens it has already validated until they expire: a client
/// sends the same access token with every request for its lifetime, and parsing it, checking its signature and building
/// its claims was a fifth of the CPU of a cheap authenticated GET (docs/adr/0033-request-pipeline-costs.md). What a hit
/// skips is only what cannot change for a given token string (signature, issuer, audience, claims); the clock is checked
/// on every hit with the application's <see cref="TimeProvider"/>, and the security stamp check (deactivation, password
/// change, sign-out everywhere) runs after it on every request as before. Only valid tokens are remembered.
/// </summary>
internal sealed class CachingJsonWebTokenHandler(IMemoryCache cache, TimeProvider time) : JsonWebTokenHandler
{
    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        var key = new Key(token);
        var now = time.GetUtcNow().UtcDateTime;
        if (cache.TryGetValue(key, out Validated? hit) && hit!.IsCurrent(now, validationParameters.ClockSkew))
        {
            // A copy per request: the principal built on it belongs to that request alone.
            return new TokenValidationResult { IsValid = true, ClaimsIdentity = hit.Identity.Clone(), SecurityToken = hit.Token, TokenType = hit.Token.Typ };
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is JsonWebToken jwt && result.ClaimsIdentity is { } identity && jwt.ValidTo > now)
        {
            cache.Set(key, new Validated(identity.Clone(), jwt), new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
        }

        return result;
    }

    /// <summary>A cache key of its own type, so no other entry of the shared memory cache can collide with a token.</summary>
    private sealed record Key(string Token);

    private sealed record Validated(ClaimsIdentity Identity, JsonWebToken Token)
    {
        public bool IsCurrent(DateTime now, TimeSpan skew) =>
            (Token.ValidFrom == DateTime.MinValue || Token.ValidFrom - skew <= now) && now < Token.ValidTo + skew;
    }
}
