using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Features.Contacts;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.Export;
using Crm.Modules.Customers.Features.FollowUps;
using Crm.Modules.Customers.Features.Import;
using Crm.Modules.Customers.Features.Pool;
using Crm.Modules.Customers.Features.Transfers;
using Crm.Modules.Integration.Contracts;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Messaging;
using Crm.SharedKernel.Modules;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Modules.Customers;

/// <summary>The customer archive (客户档案): customers, their classification, ownership and search, and their contacts.</summary>
public static class CustomersModule
{
    public static IServiceCollection AddCustomersModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddModuleDbContext<CustomersDbContext>(CustomersDbContext.SchemaName);
        services.AddHandlersFromAssembly(typeof(CustomersModule).Assembly);
        services.AddScoped<IContactConsent, ContactConsentService>();
        services.AddScoped<PoolReclaimer>();
        services.AddScoped<IImportTarget, CustomerImportTarget>();
        services.AddScoped<IImportTarget, ContactImportTarget>();
        services.AddScoped<CustomerExport>();
        services.AddScoped<ContactExport>();
        services.AddOptions<PoolOptions>().Bind(configuration.GetSection(PoolOptions.Section))
            .Validate(o => o.ReclaimInterval > TimeSpan.Zero, "Customers:Pool:ReclaimInterval must be positive.").ValidateOnStart();
        if (configuration.GetValue($"{PoolOptions.Section}:{nameof(PoolOptions.ReclaimEnabled)}", defaultValue: true))
        {
            services.AddHostedService<PoolReclaimService>();
        }

        services.AddModuleEndpoints("Customers", MapCustomersEndpoints);
        return services;
    }

    public static void MapCustomersEndpoints(IEndpointRouteBuilder api)
    {
        CustomerEndpoints.Map(api);
        ContactEndpoints.Map(api);
        FollowUpEndpoints.Map(api);
        TransferEndpoints.Map(api);
        PoolEndpoints.Map(api);
        ExportEndpoints.Map(api);
    }
}
