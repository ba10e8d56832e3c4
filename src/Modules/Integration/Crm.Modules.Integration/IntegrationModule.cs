using Crm.Modules.Integration.Data;
using Crm.Modules.Integration.Features.Imports;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Messaging;
using Crm.SharedKernel.Modules;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Modules.Integration;

/// <summary>
/// Integration (数据集成): the generic bulk import pipeline (jobs, file parsing, chunking, progress, background
/// worker). Entities plug in through <see cref="Contracts.IImportTarget"/>, registered by the module that owns them.
/// </summary>
public static class IntegrationModule
{
    public static IServiceCollection AddIntegrationModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddModuleDbContext<IntegrationDbContext>(IntegrationDbContext.SchemaName);
        services.AddHandlersFromAssembly(typeof(IntegrationModule).Assembly);
        services.AddHttpContextAccessor();
        services.AddOptions<ImportOptions>().Bind(configuration.GetSection(ImportOptions.Section))
            .Validate(o => o.ChunkSize is > 0 and <= 100_000, "Integration:Imports:ChunkSize must be between 1 and 100000.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.SpoolDirectory), "Integration:Imports:SpoolDirectory must be set.")
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.StaleAfter > TimeSpan.Zero, "Integration:Imports intervals must be positive.")
            .ValidateOnStart();
        services.AddSingleton<ImportSignal>();
        services.AddScoped<ImportRunner>();
        services.AddScoped<ImportJobProcessor>();
        services.AddScoped<ImportErrorReader>();
        if (configuration.GetValue($"{ImportOptions.Section}:{nameof(ImportOptions.WorkerEnabled)}", defaultValue: true))
        {
            services.AddHostedService<ImportWorker>();
        }

        services.AddModuleEndpoints("Integration", MapIntegrationEndpoints);
        return services;
    }

    public static void MapIntegrationEndpoints(IEndpointRouteBuilder api) => ImportEndpoints.Map(api);
}
