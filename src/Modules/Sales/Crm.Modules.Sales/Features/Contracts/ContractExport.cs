using Crm.Modules.Customers.Contracts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Quotes;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Contracts;

/// <summary>
/// Streams the contracts the caller may see, filtered like the list, in keyset batches by id: the response's fields, with
/// the customer's code and the owner's email beside their ids (one lookup per batch), for the finance and ERP side.
/// Contracts are not imported (they are signed in this system), so the file is a report, not an import format.
/// </summary>
internal sealed class ContractExport(SalesDbContext db, IAccessScopeProvider access, IUserDirectory users, ICustomerDirectory customers)
{
    public static readonly string[] Columns =
    [
        "number", "externalId", "customerCode", "ownerEmail", "title", "amount", "currency", "cnyRate", "startDate", "endDate", "signedDate", "status",
        "productCategory", "receivedAmount", "outstandingAmount", "terminatedDate", "terminationReason", "id", "customerId", "ownerId", "opportunityId",
        "orderId", "renewalOfId", "createdAt", "updatedAt",
    ];

    public async Task<IQueryable<Contract>> QueryAsync(ContractFilter filter, CancellationToken ct)
    {
        var scope = await access.GetAsync(ct);
        return filter.Apply(db.Contracts.AsNoTracking().Where(scope.Filter<Contract>(c => c.OwnerId)));
    }

    public Task WriteAsync(IQueryable<Contract> contracts, ExportWriter writer, CancellationToken ct) =>
        KeysetExport.WriteAsync(
            writer,
            after => contracts.Where(c => c.Id > after).OrderBy(c => c.Id),
            c => c.Id,
            async (batch, token) =>
            {
                var names = await SalesImportReferences.ExportNamesAsync(
                    customers, users, batch.Select(c => c.CustomerId).ToList(), batch.Select(c => c.OwnerId), token);
                return c => (IReadOnlyList<object?>)
                [
                    c.Number, c.ExternalId, names.CodeOf(c.CustomerId),
                    names.EmailOf(c.OwnerId), c.Title, c.Amount, c.Currency, c.CnyRate,
                    c.StartDate, c.EndDate, c.SignedDate, QuoteProblems.Name(c.Status), c.ProductCategory, c.ReceivedAmount, c.Amount - c.ReceivedAmount,
                    c.TerminatedDate, c.TerminationReason, c.Id, c.CustomerId, c.OwnerId, c.OpportunityId, c.OrderId, c.RenewalOfId, c.CreatedAt, c.UpdatedAt,
                ];
            },
            ct);
}
