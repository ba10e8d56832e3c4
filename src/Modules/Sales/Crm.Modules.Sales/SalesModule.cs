using Crm.Modules.Customers.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Features.Activities;
using Crm.Modules.Sales.Features.Assignment;
using Crm.Modules.Sales.Features.Funnel;
using Crm.Modules.Sales.Features.Leads;
using Crm.Modules.Sales.Features.Leads.Import;
using Crm.Modules.Sales.Features.Opportunities;
using Crm.Modules.Sales.Features.Partners;
using Crm.Modules.Sales.Features.Products;
using Crm.Modules.Sales.Features.PriceBooks;
using Crm.Modules.Sales.Features.Quotas;
using Crm.Modules.Sales.Features.Quotes;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Messaging;
using Crm.SharedKernel.Modules;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Modules.Sales;

/// <summary>Sales force automation (SFA, 销售管理): leads, opportunities and the funnel, activities, quote to cash.</summary>
public static class SalesModule
{
    public static IServiceCollection AddSalesModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddModuleDbContext<SalesDbContext>(SalesDbContext.SchemaName);
        services.AddHandlersFromAssembly(typeof(SalesModule).Assembly);
        services.AddScoped<LeadAssigner>();
        services.AddScoped<IImportTarget, LeadImportTarget>();
        services.AddScoped<IImportTarget, Features.Products.Import.ProductImportTarget>();
        services.AddScoped<IImportTarget, Features.Opportunities.Import.OpportunityImportTarget>();
        services.AddScoped<LeadExport>();
        services.AddScoped<OpportunityExport>();
        services.AddScoped<Features.Orders.OrderExport>();
        services.AddScoped<Features.Contracts.ContractExport>();
        services.AddScoped<IImportTarget, Features.Payments.Import.ReceiptImportTarget>();
        services.AddScoped<IImportTarget, Features.Orders.Import.OrderImportTarget>();
        services.AddScoped<Features.Payments.ReceiptExport>();
        services.AddScoped<PriceResolver>();
        services.AddScoped<Features.Orders.OrderWriter>();
        services.AddScoped<ReportScopes>();
        services.AddModuleEndpoints("Sales", MapSalesEndpoints);
        services.AddScoped<ActivityWrites>();
        services.AddScoped<Features.ContactReferences>();
        services.AddCustomerTimelineEvent<ActivityCompleted>()
            .AddCustomerTimelineEvent<OpportunityWon>()
            .AddCustomerTimelineEvent<OpportunityLost>()
            .AddCustomerTimelineEvent<OpportunityReopened>()
            .AddCustomerTimelineEvent<OpportunityOwnerChanged>()
            .AddCustomerTimelineEvent<Contracts.ContractSigned>()
            .AddCustomerTimelineEvent<Contracts.PaymentReceived>()
            .AddCustomerTimelineEvent<Contracts.PaymentReversed>()
            .AddCustomerTimelineEvent<Contracts.ContractTerminated>()
            .AddCustomerTimelineEvent<Contracts.ContractOwnerChanged>()
            .AddCustomerTimelineEvent<Contracts.ContractActivated>()
            .AddCustomerTimelineEvent<Contracts.ContractExpired>()
            .AddCustomerTimelineEvent<Contracts.ContractRenewed>()
            .AddCustomerTimelineEvent<Contracts.ExchangeDifferenceBooked>()
            .AddCustomerTimelineEvent<LeadConverted>()
            .AddCustomerTimelineEvent<Contracts.OrderPlaced>()
            .AddCustomerTimelineEvent<Contracts.OrderShipped>()
            .AddCustomerTimelineEvent<Contracts.OrderShipmentCancelled>()
            .AddCustomerTimelineEvent<Contracts.OrderCancelled>()
            .AddCustomerTimelineEvent<Contracts.OrderCompleted>()
            .AddCustomerTimelineEvent<QuoteSent>()
            .AddCustomerTimelineEvent<QuoteAccepted>()
            .AddCustomerTimelineEvent<QuoteRejected>();
        services.AddScoped<Features.Contracts.ContractLifecycle>();
        services.AddOptions<Features.Contracts.ContractLifecycleOptions>().Bind(configuration.GetSection(Features.Contracts.ContractLifecycleOptions.Section))
            .Validate(o => o.Interval > TimeSpan.Zero, "Sales:Contracts:Interval must be positive.").ValidateOnStart();
        if (configuration.GetValue($"{Features.Contracts.ContractLifecycleOptions.Section}:{nameof(Features.Contracts.ContractLifecycleOptions.Enabled)}", defaultValue: true))
        {
            services.AddHostedService<Features.Contracts.ContractLifecycleService>();
        }

        return services;
    }

    public static void MapSalesEndpoints(IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        ActivityEndpoints.Map(api);
        OpportunityEndpoints.Map(api);
        Features.Contracts.ContractEndpoints.Map(api);
        Features.Payments.PaymentEndpoints.Map(api);
        Features.Commissions.CommissionEndpoints.Map(api);
        Features.ExchangeRates.ExchangeRateEndpoints.MapExchangeRateEndpoints(api);
        api.MapFunnelEndpoints();
        api.MapQuotaEndpoints();
        Features.Expenses.ExpenseReportEndpoints.Map(api);
        api.MapLeadEndpoints();
        api.MapAssignmentEndpoints();
        api.MapPartnerEndpoints();
        ProductEndpoints.Map(api);
        PriceBookEndpoints.Map(api);
        QuoteEndpoints.Map(api);
        Features.Orders.OrderEndpoints.Map(api);
        Features.Orders.ShipmentEndpoints.Map(api);
    }
}
