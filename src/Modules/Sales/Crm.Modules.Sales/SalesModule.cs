using Crm.Modules.Customers.Contracts;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Features.Activities;
using Crm.Modules.Sales.Features.Assignment;
using Crm.Modules.Sales.Features.Funnel;
using Crm.Modules.Sales.Features.Leads;
using Crm.Modules.Sales.Features.Opportunities;
using Crm.Modules.Sales.Features.Partners;
using Crm.Modules.Sales.Features.Products;
using Crm.Modules.Sales.Features.PriceBooks;
using Crm.Modules.Sales.Features.Quotas;
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
        services.AddScoped<PriceResolver>();
        services.AddScoped<ReportScopes>();
        services.AddModuleEndpoints("Sales", MapSalesEndpoints);
        services.AddScoped<ActivityWrites>();
        services.AddCustomerTimelineEvent<ActivityCompleted>()
            .AddCustomerTimelineEvent<OpportunityWon>()
            .AddCustomerTimelineEvent<OpportunityLost>()
            .AddCustomerTimelineEvent<Contracts.ContractSigned>()
            .AddCustomerTimelineEvent<Contracts.PaymentReceived>()
            .AddCustomerTimelineEvent<Contracts.PaymentReversed>();
        return services;
    }

    public static void MapSalesEndpoints(IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        ActivityEndpoints.Map(api);
        OpportunityEndpoints.Map(api);
        Features.Contracts.ContractEndpoints.Map(api);
        Features.Payments.PaymentEndpoints.Map(api);
        api.MapFunnelEndpoints();
        api.MapQuotaEndpoints();
        Features.Expenses.ExpenseReportEndpoints.Map(api);
        api.MapLeadEndpoints();
        api.MapAssignmentEndpoints();
        api.MapPartnerEndpoints();
        ProductEndpoints.Map(api);
        PriceBookEndpoints.Map(api);
    }
}
