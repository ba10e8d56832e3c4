using System.Text.Json;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Microsoft.EntityFrameworkCore;
using S = Crm.Modules.Sales.Features.Payments.Import.ReceiptImportSchema;

namespace Crm.Modules.Sales.Features.Payments;

/// <summary>Filters of the receipt export.</summary>
internal sealed record ReceiptFilter(Guid? ContractId, Guid? CustomerId, Guid? OwnerId, ReceiptStatus? Status, DateOnly? ReceivedFrom, DateOnly? ReceivedTo);

/// <summary>
/// Streams the receipts the caller may see (by the owner recorded on each) in keyset batches by id, each batch one
/// query joined to its contract and instalment, in the import's columns: a re-imported export is all unchanged.
/// </summary>
internal sealed class ReceiptExport(SalesDbContext db, IAccessScopeProvider access)
{
    public const int BatchSize = 1000;

    public static readonly string[] Columns = [.. S.Schema.Fields, .. S.ReadOnly];

    public async Task WriteAsync(ReceiptFilter filter, ExportWriter writer, CancellationToken ct)
    {
        var scope = await access.GetAsync(ct);
        var receipts = db.PaymentReceipts.AsNoTracking().Where(scope.Filter<PaymentReceipt>(r => r.OwnerId));
        if (filter.ContractId is { } contractId)
        {
            receipts = receipts.Where(r => r.ContractId == contractId);
        }

        if (filter.CustomerId is { } customerId)
        {
            receipts = receipts.Where(r => r.CustomerId == customerId);
        }

        if (filter.OwnerId is { } ownerId)
        {
            receipts = receipts.Where(r => r.OwnerId == ownerId);
        }

        if (filter.Status is { } status)
        {
            receipts = receipts.Where(r => r.Status == status);
        }

        if (filter.ReceivedFrom is { } from)
        {
            receipts = receipts.Where(r => r.ReceivedDate >= from);
        }

        if (filter.ReceivedTo is { } to)
        {
            receipts = receipts.Where(r => r.ReceivedDate <= to);
        }

        await writer.WriteHeaderAsync(ct);
        var after = Guid.Empty;
        while (true)
        {
            var batch = await (
                    from r in receipts.Where(r => r.Id > after)
                    join c in db.Contracts on r.ContractId equals c.Id
                    from i in db.PaymentInstalments.Where(p => p.Id == r.InstalmentId).DefaultIfEmpty()
                    orderby r.Id
                    select new { Receipt = r, c.Number, c.ExternalId, Sequence = (int?)i!.Sequence })
                .Take(BatchSize).ToListAsync(ct);
            foreach (var row in batch)
            {
                var r = row.Receipt;
                await writer.WriteRowAsync(
                [
                    r.ExternalId, row.Number, row.ExternalId, row.Sequence, r.Amount, r.ReceivedDate, Camel(r.Method), r.Reference, r.Id,
                    r.ContractId, r.CustomerId, r.OwnerId, r.InstalmentId, r.Currency, Camel(r.Status), r.ReversalReason, r.ReversedAt, r.CreatedAt,
                ], ct);
            }

            await writer.FlushAsync(ct);
            if (batch.Count < BatchSize)
            {
                return;
            }

            after = batch[^1].Receipt.Id;
        }
    }

    private static string Camel<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
}
