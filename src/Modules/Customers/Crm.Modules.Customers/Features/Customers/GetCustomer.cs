using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Errors;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Customers;

internal sealed record GetCustomerRequest(Guid Id) : IRequest<VersionedCustomer>;

internal sealed class GetCustomerHandler(CustomersDbContext db, IAccessScopeProvider access) : IRequestHandler<GetCustomerRequest, VersionedCustomer>
{
    public async Task<VersionedCustomer> Handle(GetCustomerRequest request, CancellationToken cancellationToken)
    {
        var customer = await CustomerAccess.FindVisibleAsync(db.Customers.AsNoTracking(), access, request.Id, cancellationToken, includePool: true);
        return CustomerProjection.Versioned(customer);
    }
}

internal static class CustomerAccess
{
    /// <summary>The customer when the caller may see it; otherwise 404, whether it exists or not. A merged customer is 409 customer-merged (308 for reads).</summary>
    // includePool: reads also admit pool customers (no owner), which every rep may look at before claiming.
    public static async Task<Customer> FindVisibleAsync(IQueryable<Customer> customers, IAccessScopeProvider access, Guid id, CancellationToken ct, bool includePool = false)
    {
        var scope = await access.GetAsync(ct);
        var customer = await customers.Where(c => c.Id == id).Where(scope.Filter<Customer>(c => c.OwnerId, includePool)).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Customer", id);

        // A merged customer only redirects: reads answer 308 to the survivor, writes 409 (see CustomerMergedRedirect).
        return customer is { Status: CustomerStatus.Merged, MergedIntoId: { } survivorId }
            ? throw CustomersProblems.CustomerMerged(customer.Id, survivorId)
            : customer;
    }
}
