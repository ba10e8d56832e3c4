using System.Data.Common;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Microsoft.EntityFrameworkCore;

namespace Crm.IntegrationTests.Customers;

/// <summary>
/// EXPLAIN of the SQL a list query sends: the first page of the default order, as the list endpoint asks for it,
/// or (<c>firstPage: false</c>) every matching id, as the count of <c>includeTotal</c> and deep pages read them.
/// </summary>
internal static class PlanTests
{
    public static async Task<string> ExplainAsync(CustomersDbContext db, IQueryable<Customer> customers, bool firstPage = true)
    {
        IQueryable<object> query = firstPage
            ? customers.AsNoTracking()
                .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
                .Select(CustomerProjection.ToResponse)
                .Take(51)
            : customers.AsNoTracking().Select(c => (object)c.Id);
        await db.Database.OpenConnectionAsync();
        await using DbCommand command = query.CreateDbCommand();
        command.CommandText = "EXPLAIN " + command.CommandText;
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        var plan = string.Join('\n', lines);
        TestContext.Out.WriteLine(plan);
        return plan;
    }
}
