using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Features.Actions;
using Crm.Modules.Customers.Features.Balance;
using Crm.Modules.Customers.Features.Contacts;
using Crm.Modules.Customers.Features.CustomFields;
using Crm.Modules.Customers.Features.Directory;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.Duplicates;
using Crm.Modules.Customers.Features.Export;
using Crm.Modules.Customers.Features.FollowUps;
using Crm.Modules.Customers.Features.Import;
using Crm.Modules.Customers.Features.Merge;
using Crm.Modules.Customers.Features.Pool;
using Crm.Modules.Customers.Features.Privacy;
using Crm.Modules.Customers.Features.Regions;
using Crm.Modules.Customers.Features.Registration;
using Crm.Modules.Customers.Features.Timeline;
using Crm.Modules.Customers.Features.Transfers;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Contracts;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Messaging;
using Crm.SharedKernel.Modules;
using Crm.SharedKernel.Outbox;
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
        services.AddSingleton<RegionCatalog>();
        services.AddSingleton<RegionListJson>();
        services.AddSingleton<CustomFieldSchemaCache>();
        services.AddScoped<RecordInputs>();
        services.AddScoped<IDemoDataSeeder, CustomersDemoData>();
        services.AddScoped<PoolReclaimer>();
        services.AddScoped<CustomerActionContext>();
        AddTimeline(services);
        services.AddIntegrationEventHandler<ContractSigned, CustomerBalanceConsumer>()
            .AddIntegrationEventHandler<PaymentReceived, CustomerBalanceConsumer>()
            .AddIntegrationEventHandler<PaymentReversed, CustomerBalanceConsumer>()
            .AddIntegrationEventHandler<ContractTerminated, CustomerBalanceConsumer>()
            .AddIntegrationEventHandler<ExchangeDifferenceBooked, CustomerBalanceConsumer>()
            .AddIntegrationEventBatchHandler<OpportunityWon, CustomerWonDealConsumer>()
            .AddIntegrationEventBatchHandler<OpportunityReopened, CustomerWonDealConsumer>();
        services.AddScoped<ICustomerDuplicateCheck, CustomerDuplicateFinder>();
        services.AddScoped<ICustomerDirectory, CustomerDirectory>();
        services.AddScoped<ICustomerRegistration, CustomerRegistration>();
        services.AddScoped<DuplicateGuard>();
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
        // Every endpoint of the module answers for merged customers the same way: 308 for reads, 409 for writes.
        var customers = CustomerMergedRedirect.Apply(api.MapGroup(string.Empty));
        CustomerEndpoints.Map(customers);
        ContactEndpoints.Map(customers);
        FollowUpEndpoints.Map(customers);
        TransferEndpoints.Map(customers);
        PoolEndpoints.Map(customers);
        MergeEndpoints.Map(customers);
        CustomerActionEndpoints.Map(customers);
        CustomerHistoryEndpoints.Map(customers);
        BalanceEndpoints.Map(customers);
        TimelineEndpoints.Map(customers);
        CustomFieldEndpoints.Map(customers);
        RegionEndpoints.Map(customers);
        ExternalIdEndpoints.Map(customers);
        PrivacyEndpoints.Map(customers);
        ExportEndpoints.Map(customers);
    }

    /// <summary>The timeline read model and this module's own events on it; other modules register theirs the same way.</summary>
    private static void AddTimeline(IServiceCollection services)
    {
        services.AddScoped<ICustomerTimelineWriter, CustomerTimelineWriter>();
        services.AddCustomerTimelineEvent<CustomerCreated>()
            .AddCustomerTimelineEvent<CustomerOwnerChanged>()
            .AddCustomerTimelineEvent<CustomersTransferred>()
            .AddCustomerTimelineEvent<CustomerReleased>()
            .AddCustomerTimelineEvent<CustomersReclaimed>()
            .AddCustomerTimelineEvent<CustomerBlacklisted>()
            .AddCustomerTimelineEvent<CustomerUnblacklisted>()
            .AddCustomerTimelineEvent<CustomerChurned>()
            .AddCustomerTimelineEvent<CustomerReactivated>()
            .AddCustomerTimelineEvent<CustomerKeyAccountChanged>()
            .AddCustomerTimelineEvent<CustomerCreditLimitChanged>()
            .AddCustomerTimelineEvent<CustomerBalanceAdjusted>()
            .AddCustomerTimelineEvent<CustomerLifecycleStageChanged>()
            .AddCustomerTimelineEvent<FollowUpLogged>()
            .AddCustomerTimelineEvent<CustomersMerged>();
    }
}
