using System.Security.Claims;
using Crm.Modules.Identity.Data;
using Crm.SharedKernel.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Crm.Modules.Identity.Auth;

/// <summary>
/// One default scheme that forwards to the API key handler when <c>X-Api-Key</c> is sent and to JWT bearer
/// otherwise; permission policies; and token validation against the clock and the user's security stamp.
/// </summary>
internal static class AuthenticationSetup
{
    public const string DefaultScheme = "Crm";

    public static IServiceCollection AddCrmAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = DefaultScheme;
                o.DefaultChallengeScheme = DefaultScheme;
            })
            .AddPolicyScheme(DefaultScheme, "Bearer token or API key", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);

        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtOptions>, TimeProvider, IMemoryCache>((bearer, jwt, time, cache) => Configure(bearer, jwt.Value, time, cache));
        services.AddSingleton<IAuthorizationPolicyProvider, PermissionPolicyProvider>();
        services.AddSingleton<IAuthorizationHandler, PermissionHandler>();
        return services;
    }

    private static void Configure(JwtBearerOptions bearer, JwtOptions jwt, TimeProvider time, IMemoryCache cache)
    {
        bearer.MapInboundClaims = false;
        bearer.TokenHandlers.Clear();
        bearer.TokenHandlers.Add(new CachingJsonWebTokenHandler(cache, time) { MapInboundClaims = false });
        // Nothing reads the raw token back from the authentication properties; storing it costs every request.
        bearer.SaveToken = false;
        bearer.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.UsesExternalAuthority ? null : jwt.Issuer,
            ValidateIssuer = true,
            ValidAudience = jwt.Audience,
            ValidateAudience = true,
            NameClaimType = CrmClaimTypes.Name,
            RoleClaimType = CrmClaimTypes.Role,
            ClockSkew = TimeSpan.FromSeconds(30),
            // The application clock decides expiry, so it is testable and consistent with the issuer.
            LifetimeValidator = (notBefore, expires, _, parameters) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore.Value - parameters.ClockSkew <= now)
                    && expires is not null && now < expires.Value + parameters.ClockSkew;
            },
        };
        if (jwt.UsesExternalAuthority)
        {
            bearer.Authority = jwt.Authority;
            bearer.Events = new JwtBearerEvents { OnTokenValidated = MapExternalUserAsync };
        }
        else
        {
            bearer.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(jwt.SigningKeyBytes);
            bearer.Events = new JwtBearerEvents { OnTokenValidated = CheckSecurityStampAsync };
        }
    }

    /// <summary>A token of a deactivated user, or issued before a password change or sign-out everywhere, is refused.</summary>
    private static async Task CheckSecurityStampAsync(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        if (!Guid.TryParse(principal.FindFirstValue(CrmClaimTypes.Subject), out var userId))
        {
            context.Fail("The token has no subject.");
            return;
        }

        var state = await context.HttpContext.RequestServices.GetRequiredService<UserStateCache>().GetAsync(userId, context.HttpContext.RequestAborted);
        if (state is not { Active: true } current || current.Stamp != principal.FindFirstValue(TokenService.SecurityStampClaim))
        {
            context.Fail("The token is no longer valid for this user.");
        }
    }

    /// <summary>External tokens name the user by email; the local user's id, roles and team apply.</summary>
    private static async Task MapExternalUserAsync(TokenValidatedContext context)
    {
        var email = context.Principal!.FindFirstValue(CrmClaimTypes.Email);
        if (string.IsNullOrWhiteSpace(email))
        {
            context.Fail("The token has no email claim.");
            return;
        }

        var db = context.HttpContext.RequestServices.GetRequiredService<IdentityDbContext>();
        var normalized = Domain.User.Normalize(email);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedEmail == normalized && u.Active, context.HttpContext.RequestAborted);
        if (user is null)
        {
            context.Fail("No active user has this email.");
            return;
        }

        var claims = new List<Claim>
        {
            new(CrmClaimTypes.Subject, user.Id.ToString()),
            new(CrmClaimTypes.Name, user.Name),
            new(CrmClaimTypes.Email, user.Email),
            new(CrmClaimTypes.ActorKind, HttpCurrentActor.UserKind),
        };
        claims.AddRange(user.Roles.Select(role => new Claim(CrmClaimTypes.Role, role)));
        if (user.TeamId is { } team)
        {
            claims.Add(new Claim(CrmClaimTypes.Team, team.ToString()));
        }

        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, JwtBearerDefaults.AuthenticationScheme, CrmClaimTypes.Name, CrmClaimTypes.Role));
    }
}
