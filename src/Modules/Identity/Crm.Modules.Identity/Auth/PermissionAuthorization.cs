using Crm.SharedKernel.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Crm.Modules.Identity.Auth;

internal sealed record PermissionRequirement(string Permission) : IAuthorizationRequirement;

/// <summary>Builds the <c>permission:area:action</c> policies that <c>RequirePermission</c> names, on first use.</summary>
internal sealed class PermissionPolicyProvider(IOptions<AuthorizationOptions> options) : DefaultAuthorizationPolicyProvider(options)
{
    public override async Task<AuthorizationPolicy?> GetPolicyAsync(string policyName)
    {
        if (!policyName.StartsWith(PermissionAuthorization.PolicyPrefix, StringComparison.Ordinal))
        {
            return await base.GetPolicyAsync(policyName);
        }

        return new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .AddRequirements(new PermissionRequirement(policyName[PermissionAuthorization.PolicyPrefix.Length..]))
            .Build();
    }
}

/// <summary>An API key holds exactly its scopes; a user holds what their roles grant.</summary>
internal sealed class PermissionHandler : AuthorizationHandler<PermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        var user = context.User;
        var granted = user.HasClaim(CrmClaimTypes.ActorKind, HttpCurrentActor.ApiKeyKind)
            ? user.FindAll(CrmClaimTypes.Scope).Any(c => string.Equals(c.Value, requirement.Permission, StringComparison.Ordinal))
            : RolePermissions.Allows(user.FindAll(CrmClaimTypes.Role).Select(c => c.Value), requirement.Permission);
        if (granted)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
