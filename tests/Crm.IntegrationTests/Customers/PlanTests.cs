using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Microsoft.EntityFrameworkCore;

namespace Crm.IntegrationTests.Customers;

/// <summary>
/// The SQL a customer list query sends, for EXPLAIN: the first page of the default order, as the list endpoint asks for
/// it, or (<c>firstPage: false</c>) every matching id, as the count of <c>includeTotal</c> and deep pages read them.
/// </summary>
internal static class PlanTests
{
    public static IQueryable ListQuery(IQueryable<Customer> customers, bool firstPage = true) =>
        firstPage
            ? customers.AsNoTracking()
                .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
                .Select(CustomerProjection.ToResponse)
                .Take(51)
            : customers.AsNoTracking().Select(c => c.Id);
}
