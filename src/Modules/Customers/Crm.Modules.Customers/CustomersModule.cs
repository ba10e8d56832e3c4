using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Features.Contacts;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.Duplicates;
using Crm.Modules.Customers.Features.FollowUps;
using Crm.Modules.Customers.Features.Merge;
using Crm.Modules.Customers.Features.Pool;
using Crm.Modules.Customers.Features.Transfers;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Messaging;
using Crm.SharedKernel.Modules;
using Microsoft.AspNetCore.Builder;
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
        services.AddScoped<ICustomerDuplicateCheck, CustomerDuplicateFinder>();
        services.AddScoped<DuplicateGuard>();
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
        // Every endpoint of the module answers for merged customers the same way: 308 for reads, 409 for writes.
        var customers = CustomerMergedRedirect.Apply(api.MapGroup(string.Empty));
        CustomerEndpoints.Map(customers);
        ContactEndpoints.Map(customers);
        FollowUpEndpoints.Map(customers);
        TransferEndpoints.Map(customers);
        PoolEndpoints.Map(customers);
        MergeEndpoints.Map(customers);
    }
}
