using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.SharedKernel.Modules;

/// <summary>
/// A module's route map. <c>AddXModule</c> registers one; the host maps every registered module under
/// the versioned <c>/api/v1</c> group, so composing a module is one call in Program.cs.
/// </summary>
public sealed record ModuleEndpoints(string Module, Action<IEndpointRouteBuilder> Map);

public static class ModuleServiceCollectionExtensions
{
    public static IServiceCollection AddModuleEndpoints(this IServiceCollection services, string module, Action<IEndpointRouteBuilder> map) =>
        services.AddSingleton(new ModuleEndpoints(module, map));
}
