using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Outbox;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Modules.Sales.Features.Payments;

/// <summary>
/// Exchange differences (汇兑差额) of foreign-currency contracts (docs/adr/0036-exchange-differences.md). Sales computes
/// them, because only Sales knows a contract's CNY at signing and its receipts' CNY; the difference travels in an
/// <see cref="ExchangeDifferenceBooked"/> event written in the transaction of the receipt, reversal or termination that
/// moved it, so the Customers ledger stays a pure consumer keyed by event id (a redelivery books nothing twice).
/// </summary>
internal static class ExchangeDifferences
{
    /// <summary>
    /// The CNY of each contract's recorded (not reversed) receipts as stored, each converted at its own rate and rounded to
    /// the fen per receipt exactly as its events were (<c>round(numeric, 2)</c>, half away from zero), one grouped query
    /// on the receipts' contract index.
    /// </summary>
    public static async Task<Dictionary<Guid, decimal>> ReceivedCnyAsync(SalesDbContext db, IReadOnlyCollection<Guid> contractIds, CancellationToken ct) =>
        await db.PaymentReceipts.AsNoTracking()
            .Where(r => contractIds.Contains(r.ContractId) && r.Status == ReceiptStatus.Recorded)
            .GroupBy(r => r.ContractId)
            .Select(g => new { ContractId = g.Key, Cny = g.Sum(r => Math.Round(r.Amount * r.CnyRate, 2)) })
            .ToDictionaryAsync(x => x.ContractId, x => x.Cny, ct);

    /// <summary>
    /// Settles one contract changed in the pending unit of work and adds the event when its difference moves.
    /// <paramref name="pendingCny"/> is the CNY of a receipt recorded in that unit of work (not stored yet);
    /// <paramref name="writtenOffCny"/> what a termination writes off.
    /// </summary>
    public static async Task SettleAsync(
        SalesDbContext db, Contract contract, bool settled, decimal pendingCny, decimal writtenOffCny, DateTimeOffset now, CancellationToken ct)
    {
        var received = 0m;
        if (Contract.NeedsReceivedCny(contract, settled))
        {
            var stored = await ReceivedCnyAsync(db, [contract.Id], ct);
            received = stored.GetValueOrDefault(contract.Id) + pendingCny;
        }

        var change = contract.SettleExchangeDifference(settled, received, writtenOffCny);
        if (change != 0m)
        {
            db.AddIntegrationEvent(Booked(contract, change, now));
        }
    }

    /// <summary>
    /// Settles the contracts an import chunk recorded receipts on, after the receipts and received amounts are written:
    /// one grouped read of the receipts' CNY, one UPDATE of the changed differences and one COPY of their events.
    /// </summary>
    public static async Task SettleImportedAsync(SalesDbContext db, NpgsqlConnection connection, IEnumerable<Contract> contracts, DateTimeOffset now, CancellationToken ct)
    {
        var settled = contracts.Where(c => Contract.NeedsReceivedCny(c, c.Outstanding == 0m)).ToList();
        if (settled.Count == 0)
        {
            return;
        }

        var received = await ReceivedCnyAsync(db, [.. settled.Select(c => c.Id)], ct);
        var changed = settled.Select(c => (Contract: c, Change: c.SettleExchangeDifference(true, received.GetValueOrDefault(c.Id), 0m)))
            .Where(x => x.Change != 0m).ToList();
        if (changed.Count == 0)
        {
            return;
        }

        await using var update = new NpgsqlCommand(
            """
            UPDATE sales.contracts c SET exchange_difference = v.difference
              FROM unnest(@ids, @differences) AS v(id, difference)
             WHERE c.id = v.id
            """, connection);
        update.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = changed.Select(x => x.Contract.Id).ToArray() });
        update.Parameters.Add(new NpgsqlParameter("differences", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = changed.Select(x => x.Contract.ExchangeDifference).ToArray() });
        await update.ExecuteNonQueryAsync(ct);
        await OutboxBulkWriter.CopyAsync(connection, SalesDbContext.SchemaName, changed.Select(x => Booked(x.Contract, x.Change, now)), ct);
    }

    private static ExchangeDifferenceBooked Booked(Contract contract, decimal change, DateTimeOffset now) =>
        new(now)
        {
            ContractId = contract.Id, ContractNumber = contract.Number, CustomerId = contract.CustomerId, ContractAmount = contract.Amount,
            Currency = contract.Currency, BalanceAmount = change,
        };
}
