using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Errors;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Crm.Modules.Customers.Features.Customers;

internal sealed record GetCustomerRequest(Guid Id) : IRequest<VersionedCustomer>;

internal sealed class GetCustomerHandler(NpgsqlDataSource database, IAccessScopeProvider access) : IRequestHandler<GetCustomerRequest, VersionedCustomer>
{
    public async Task<VersionedCustomer> Handle(GetCustomerRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var row = await CustomerByIdRead.ReadAsync(database, request.Id, cancellationToken);

        // The same rule as the other reads (FindVisibleAsync), applied to the one row: invisible or missing is 404 alike,
        // and a merged customer redirects only for a caller who could see it.
        if (row is null || !scope.CanSee(row.Customer.OwnerId, includeUnowned: true))
        {
            throw new NotFoundException("Customer", request.Id);
        }

        return row.MergedIntoId is { } survivorId && row.Customer.Status == CustomerStatus.Merged
            ? throw CustomersProblems.CustomerMerged(request.Id, survivorId)
            : row.Versioned;
    }
}

internal static class CustomerAccess
{
    // The by-id read behind most customer endpoints, compiled once: EF neither rewrites nor hashes the expression per call,
    // and the visibility rule travels as parameters (sees-all, owners, pool) instead of a new expression tree each time.
    private static readonly Func<CustomersDbContext, Guid, bool, Guid?[], bool, CancellationToken, Task<Customer?>> VisibleById =
        EF.CompileAsyncQuery((CustomersDbContext db, Guid id, bool seesAll, Guid?[] owners, bool includePool, CancellationToken ct) =>
            db.Customers.AsNoTracking().SingleOrDefault(c => c.Id == id && (seesAll || (includePool && c.OwnerId == null) || owners.Contains(c.OwnerId))));

    /// <summary>
    /// <see cref="FindVisibleAsync"/> for reads that change nothing (no tracking), through one compiled query.
    /// </summary>
    public static async Task<Customer> FindVisibleReadOnlyAsync(CustomersDbContext db, IAccessScopeProvider access, Guid id, CancellationToken ct, bool includePool = false)
    {
        var scope = await access.GetAsync(ct);
        var customer = await VisibleById(db, id, scope.SeesAll, [.. scope.VisibleOwners], includePool, ct)
            ?? throw new NotFoundException("Customer", id);
        return Redirected(customer);
    }

    /// <summary>The customer when the caller may see it; otherwise 404, whether it exists or not. A merged customer is 409 customer-merged (308 for reads).</summary>
    // includePool: reads also admit pool customers (no owner), which every rep may look at before claiming.
    public static async Task<Customer> FindVisibleAsync(IQueryable<Customer> customers, IAccessScopeProvider access, Guid id, CancellationToken ct, bool includePool = false)
    {
        var scope = await access.GetAsync(ct);
        var customer = await customers.Where(c => c.Id == id).Where(scope.Filter<Customer>(c => c.OwnerId, includePool)).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Customer", id);

        return Redirected(customer);
    }

    // A merged customer only redirects: reads answer 308 to the survivor, writes 409 (see CustomerMergedRedirect).
    private static Customer Redirected(Customer customer) =>
        customer is { Status: CustomerStatus.Merged, MergedIntoId: { } survivorId }
            ? throw CustomersProblems.CustomerMerged(customer.Id, survivorId)
            : customer;
}
