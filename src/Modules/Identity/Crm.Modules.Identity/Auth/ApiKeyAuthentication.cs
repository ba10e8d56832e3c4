using System.Security.Claims;
using System.Text.Encodings.Web;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Data;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.Modules.Identity.Auth;

/// <summary>
/// Authenticates <c>X-Api-Key: crm_&lt;prefix&gt;_&lt;secret&gt;</c>: one indexed look-up by prefix (cached briefly),
/// a constant-time hash comparison, and a throttled <c>last_used_at</c> update.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyCache keys,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers[HeaderName].ToString();
        if (string.IsNullOrEmpty(presented))
        {
            return AuthenticateResult.NoResult();
        }

        if (!ApiKeyFormat.TryParse(presented, out var prefix, out var secret))
        {
            return AuthenticateResult.Fail("The API key is malformed.");
        }

        var key = await keys.FindAsync(prefix, Context.RequestAborted);
        var now = time.UtcNow();
        if (key is null || !key.Usable(now) || !SecretHashing.Matches(secret, key.SecretHash))
        {
            return AuthenticateResult.Fail("The API key is unknown, revoked or expired.");
        }

        await keys.TouchAsync(key, now, Context.RequestAborted);
        var claims = new List<Claim>
        {
            new(CrmClaimTypes.Subject, key.Id.ToString()),
            new(CrmClaimTypes.Name, key.Name),
            new(CrmClaimTypes.ActorKind, HttpCurrentActor.ApiKeyKind),
            new(CrmClaimTypes.Role, Roles.Integration),
        };
        claims.AddRange(key.Scopes.Select(scope => new Claim(CrmClaimTypes.Scope, scope)));
        var identity = new ClaimsIdentity(claims, SchemeName, CrmClaimTypes.Name, CrmClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>Every 401 names the scheme the client should use (RFC 9110 §11.6.1).</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
        return Task.CompletedTask;
    }
}

/// <summary>The key format: <c>crm_</c>, a 12-character prefix, <c>_</c>, the secret.</summary>
internal static class ApiKeyFormat
{
    public const int PrefixLength = 12;

    public static string Compose(string prefix, string secret) => $"crm_{prefix}_{secret}";

    public static string NewPrefix() => SecretHashing.NewSecret(12).Replace("-", "x", StringComparison.Ordinal).Replace("_", "y", StringComparison.Ordinal)[..PrefixLength];

    public static bool TryParse(string presented, out string prefix, out string secret)
    {
        prefix = secret = string.Empty;
        if (!presented.StartsWith("crm_", StringComparison.Ordinal) || presented.Length < 4 + PrefixLength + 2 || presented[4 + PrefixLength] != '_')
        {
            return false;
        }

        prefix = presented.Substring(4, PrefixLength);
        secret = presented[(5 + PrefixLength)..];
        return true;
    }
}

/// <summary>A key as authentication needs it.</summary>
internal sealed record CachedApiKey(Guid Id, string Name, string SecretHash, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    public bool Usable(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

/// <summary>
/// API keys by prefix, cached for 30 s (revocation on this instance is immediate, and a look-up racing it is not kept;
/// elsewhere within 30 s).
/// </summary>
internal sealed class ApiKeyCache(IMemoryCache cache, IServiceScopeFactory scopes)
{
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    private readonly RevocableCache<string, CachedApiKey?> _keys = new(cache, "identity:api-key", UserStateCache.Lifetime);

    public Task<CachedApiKey?> FindAsync(string prefix, CancellationToken ct) => _keys.GetOrLoadAsync(prefix, LoadAsync, ct);

    private async Task<CachedApiKey?> LoadAsync(string prefix, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        return await db.ApiKeys.AsNoTracking()
            .Where(k => k.Prefix == prefix)
            .Select(k => new CachedApiKey(k.Id, k.Name, k.SecretHash, k.Scopes, k.ExpiresAt, k.RevokedAt))
            .SingleOrDefaultAsync(ct);
    }

    /// <summary>Records use at most once a minute per key, so a busy integration does not write on every request.</summary>
    public async Task TouchAsync(CachedApiKey key, DateTimeOffset now, CancellationToken ct)
    {
        if (cache.TryGetValue(TouchKey(key.Id), out _))
        {
            return;
        }

        cache.Set(TouchKey(key.Id), true, TouchInterval);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var threshold = now - TouchInterval;
        await db.ApiKeys
            .Where(k => k.Id == key.Id && (k.LastUsedAt == null || k.LastUsedAt < threshold))
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, now), ct);
    }

    /// <summary>Call after the change to the key (revocation) has committed.</summary>
    public void Invalidate(string prefix) => _keys.Invalidate(prefix);

    private static string TouchKey(Guid id) => $"identity:api-key-used:{id:N}";
}
