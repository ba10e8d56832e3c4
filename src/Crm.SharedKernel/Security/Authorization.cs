using Microsoft.AspNetCore.Builder;

namespace Crm.SharedKernel.Security;

/// <summary>Endpoint authorization by permission (<c>area:action</c>), the one way modules declare who may call what.</summary>
public static class PermissionAuthorization
{
    /// <summary>Authorization policies named with this prefix are built on demand from the permission after it.</summary>
    public const string PolicyPrefix = "permission:";

    /// <summary>403 unless the caller's roles grant <paramref name="permission"/> or their API key has it as a scope.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(PolicyPrefix + permission);
}
