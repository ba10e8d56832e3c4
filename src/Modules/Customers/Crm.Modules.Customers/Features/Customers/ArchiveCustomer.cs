using Crm.Modules.Customers.Data;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Time;
using MediatR;

namespace Crm.Modules.Customers.Features.Customers;

/// <summary>DELETE is a soft delete: the customer becomes archived and keeps its code, identifiers and history.</summary>
internal sealed record ArchiveCustomerRequest(Guid Id, IfMatch IfMatch) : IRequest<VersionedCustomer>;

internal sealed class ArchiveCustomerHandler(CustomersDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<ArchiveCustomerRequest, VersionedCustomer>
{
    public async Task<VersionedCustomer> Handle(ArchiveCustomerRequest request, CancellationToken cancellationToken)
    {
        var customer = await CustomerAccess.FindVisibleAsync(db.Customers, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(customer.Version);
        customer.Archive(time.UtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return CustomerProjection.Versioned(customer);
    }
}
