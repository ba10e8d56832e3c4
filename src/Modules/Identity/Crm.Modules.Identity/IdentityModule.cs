using Crm.Modules.Identity.Auth;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Data;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Identity.Features.ApiKeys;
using Crm.Modules.Identity.Features.Audit;
using Crm.Modules.Identity.Features.Auth;
using Crm.Modules.Identity.Features.Teams;
using Crm.Modules.Identity.Features.Users;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Hosting;
using Crm.SharedKernel.Messaging;
using Crm.SharedKernel.Modules;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Modules.Identity;

/// <summary>Users, teams, roles, sign-in, API keys and record visibility.</summary>
public static class IdentityModule
{
    public static IServiceCollection AddIdentityModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<IdentityDbContext>(IdentityDbContext.SchemaName);
        services.AddHandlersFromAssembly(typeof(IdentityModule).Assembly);
        services.AddModuleEndpoints("Identity", MapIdentityEndpoints);

        services.AddOptions<JwtOptions>().Bind(configuration.GetSection(JwtOptions.Section))
            .Validate(o => o.IsValid(out _), "Identity:Jwt is invalid: set SigningKey (32+ characters) or Authority, with AccessTokenLifetime shorter than RefreshTokenLifetime.")
            .ValidateOnStart();
        services.AddOptions<SignInLockoutOptions>().Bind(configuration.GetSection(SignInLockoutOptions.Section))
            .Validate(o => o.MaxFailedAttempts > 0 && o.Duration > TimeSpan.Zero, "Identity:Lockout needs a positive MaxFailedAttempts and Duration.")
            .ValidateOnStart();

        services.AddMemoryCache();
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<UserStateCache>();
        services.AddSingleton<TeamSubtreeCache>();
        services.AddSingleton<ApiKeyCache>();
        services.AddCrmAuthentication();
        services.AddScoped<IAccessScopeProvider, AccessScopeProvider>();
        services.AddScoped<IUserDirectory, UserDirectory>();
        services.AddScoped<ITeamDirectory, TeamDirectory>();
        services.AddScoped<IStartupTask, BootstrapAdministrator>();
        services.AddScoped<IDemoDataSeeder, IdentityDemoData>();
        return services;
    }

    public static void MapIdentityEndpoints(IEndpointRouteBuilder api)
    {
        AuthEndpoints.Map(api);
        UserEndpoints.Map(api);
        TeamEndpoints.Map(api);
        ApiKeyEndpoints.Map(api);
        AuditEndpoints.Map(api);
    }
}
