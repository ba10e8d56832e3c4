using Crm.Modules.Customers.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Features.Funnel;
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
        services.AddModuleEndpoints("Sales", MapSalesEndpoints);
        services.AddCustomerTimelineEvent<Contracts.ContractSigned>()
            .AddCustomerTimelineEvent<Contracts.PaymentReceived>()
            .AddCustomerTimelineEvent<Contracts.PaymentReversed>();
        return services;
    }

    public static void MapSalesEndpoints(IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        Features.Contracts.ContractEndpoints.Map(api);
        Features.Payments.PaymentEndpoints.Map(api);
        api.MapFunnelEndpoints();
    }
}
