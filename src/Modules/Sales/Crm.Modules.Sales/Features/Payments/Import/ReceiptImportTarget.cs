using System.Globalization;
using System.Text.Json;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.ExchangeRates;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using S = Crm.Modules.Sales.Features.Payments.Import.ReceiptImportSchema;

namespace Crm.Modules.Sales.Features.Payments.Import;

/// <summary>
/// Payment receipts (回款) for the import pipeline (<c>POST /api/v1/imports/receipts</c>). Receipts are money facts:
/// a row either records a new receipt, with the checks of <c>POST /api/v1/sales/receipts</c>, or names one that is
/// already recorded, which must then hold exactly what the row says (<c>unchanged</c>); a different one is a row error,
/// because receipts are reversed, never edited (ADR 0025). Per chunk, in one transaction: the named contracts are
/// locked (<c>FOR UPDATE</c>, so the outstanding checks hold against the receipt API), rows are checked and allocated
/// in memory with running totals, then one COPY + INSERT of receipts, one of allocations, one UPDATE of the
/// instalments' paid amounts and one of the contracts' received amounts, and one COPY of <c>PaymentReceived</c>
/// events into the outbox (so balances and timelines follow, exactly once through the ledger). A receipt whose
/// <c>externalId</c> another transaction records meanwhile is a row error; the balances are written without it.
/// </summary>
internal sealed class ReceiptImportTarget(SalesDbContext db, IAccessScopeProvider access, TimeProvider time) : IImportTarget
{
    private const string Receipts = "sales.payment_receipts";
    private const string ReceiptStaging = "import_receipts";
    private const string AllocationStaging = "import_allocations";

    private static readonly StagedColumn<PaymentReceipt>[] ReceiptColumns =
    [
        new("id", NpgsqlDbType.Uuid, r => r.Id),
        new("contract_id", NpgsqlDbType.Uuid, r => r.ContractId),
        new("customer_id", NpgsqlDbType.Uuid, r => r.CustomerId),
        new("owner_id", NpgsqlDbType.Uuid, r => r.OwnerId),
        new("instalment_id", NpgsqlDbType.Uuid, r => r.InstalmentId),
        new("amount", NpgsqlDbType.Numeric, r => r.Amount),
        new("currency", NpgsqlDbType.Varchar, r => r.Currency),
        new("received_date", NpgsqlDbType.Date, r => r.ReceivedDate),
        new("cny_rate", NpgsqlDbType.Numeric, r => r.CnyRate),
        new("method", NpgsqlDbType.Varchar, r => r.Method.ToString()),
        new("reference", NpgsqlDbType.Varchar, r => r.Reference),
        new("external_id", NpgsqlDbType.Varchar, r => r.ExternalId),
        new("status", NpgsqlDbType.Varchar, r => r.Status.ToString()),
        new("created_at", NpgsqlDbType.TimestampTz, r => r.CreatedAt),
    ];

    private static readonly StagedColumn<PaymentAllocation>[] AllocationColumns =
    [
        new("receipt_id", NpgsqlDbType.Uuid, a => a.ReceiptId),
        new("instalment_id", NpgsqlDbType.Uuid, a => a.InstalmentId),
        new("amount", NpgsqlDbType.Numeric, a => a.Amount),
    ];

    public string Entity => "receipts";

    public ImportSchema Schema => S.Schema;

    /// <summary>Recording a receipt through the API needs sales:write; importing them needs it too.</summary>
    public string? RequiredPermission => Permissions.SalesWrite;

    public async Task<ImportChunkResult> ImportChunkAsync(ImportChunk chunk, ImportBeforeCommit beforeCommit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(beforeCommit);
        var settings = chunk.Settings;
        var scope = await access.GetAsync(ct);
        var now = time.UtcNow();
        var errors = new List<ImportRowError>();
        var rows = chunk.Rows.Select(r => new ReceiptRow(r, errors, settings.MatchOn)).ToList();
        var validator = new RecordReceiptValidator(time);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();

        // Contracts first, locked in id order: a concurrent import or receipt on the same contract waits, and the
        // receipts read next include whatever it committed.
        var contracts = await LockContractsAsync(rows, ct);
        var existing = await FindExistingAsync(settings.MatchOn, rows, ct);
        var plans = await PlansAsync(contracts.All.Select(c => c.Id).Concat(existing.Values.Select(r => r.ContractId)), ct);
        var rates = await RatesAsync(connection, rows, contracts, ct);

        var created = new List<PaymentReceipt>();
        var allocations = new List<PaymentAllocation>();
        var rowOf = new Dictionary<Guid, ReceiptRow>();
        var unchanged = 0;
        await chunk.Keys.PrefetchAsync(rows.Where(r => !r.Failed).Select(r => r.MatchKey).OfType<string>().Select(k => $"{settings.MatchOn}:{k}"), ct);
        foreach (var row in rows.Where(r => !r.Failed))
        {
            if (row.MatchKey is not { } key)
            {
                row.Error(settings.MatchOn, $"{settings.MatchOn} is needed: receipts are matched on it, so a re-run cannot book the money twice.");
                continue;
            }

            if (!chunk.Keys.TryClaim($"{settings.MatchOn}:{key}", row.Number, out var first))
            {
                row.Error(settings.MatchOn, $"Duplicate of row {first} in this file ({settings.MatchOn} '{key}').");
                continue;
            }

            if (existing.TryGetValue(key, out var receipt))
            {
                if (Compare(row, receipt, settings, scope, contracts, plans))
                {
                    unchanged++;
                }

                continue;
            }

            if (Record(row, settings, scope, validator, contracts, plans, rates, now) is { } recorded)
            {
                created.Add(recorded.Receipt);
                allocations.AddRange(recorded.Allocations);
                rowOf[recorded.Receipt.Id] = row;
            }
        }

        if (!settings.DryRun && created.Count > 0)
        {
            // A receipt another transaction records with the same external id meanwhile loses: its row is an error, the
            // contract gets its amount back and the plan is allocated again without it, before any balance is written.
            var lost = await InsertReceiptsAsync(connection, created, ct);
            foreach (var receipt in lost)
            {
                rowOf[receipt.Id].Error(settings.MatchOn, $"Receipt '{receipt.ExternalId}' was recorded by another import or request at the same time; "
                    + "run the file again to compare this row with it.");
                contracts.All.Single(c => c.Id == receipt.ContractId).ReverseReceipt(receipt.Amount, now);
            }

            if (lost.Count > 0)
            {
                created.RemoveAll(lost.Contains);
                allocations = await ReallocateAsync(created, lost, allocations, ct);
            }

            await ApplyAsync(connection, allocations, [.. lost.Select(r => r.Id)], now, ct);
            await OutboxBulkWriter.CopyAsync(connection, SalesDbContext.SchemaName, created.Select(r => new PaymentReceived(now)
            {
                ReceiptId = r.Id, ContractId = r.ContractId, CustomerId = r.CustomerId, Amount = r.Amount, Currency = r.Currency, BalanceAmount = r.BalanceAmount,
                ReceivedDate = r.ReceivedDate,
            }), ct);
            var paid = created.Select(r => r.ContractId).ToHashSet();
            await ExchangeDifferences.SettleImportedAsync(db, connection, contracts.All.Where(c => paid.Contains(c.Id)), now, ct);

            // One audit summary per owner instead of a row per receipt (ADR 0015); each saved on its own, same transaction.
            foreach (var group in created.GroupBy(r => r.OwnerId))
            {
                db.AddAuditSummary<PaymentReceipt>(
                    AuditAction.Created, group.Count(), new Dictionary<string, object?> { ["ownerId"] = group.Key, ["amount"] = group.Sum(r => r.Amount) }, group.Key);
                await db.SaveChangesAsync(ct);
            }
        }

        return await SalesImportChunk.FinishAsync(db, transaction, settings, new ImportChunkResult(created.Count, 0, unchanged, errors), beforeCommit, ct);
    }

    /// <summary>A new receipt with the receipt API's checks against the running totals of the chunk; null when rejected.</summary>
    private static (PaymentReceipt Receipt, List<PaymentAllocation> Allocations)? Record(
        ReceiptRow row,
        ImportSettings settings,
        AccessScope scope,
        RecordReceiptValidator validator,
        ContractIndex contracts,
        Dictionary<Guid, List<PaymentInstalment>> plans,
        Dictionary<(string Currency, DateOnly Day), decimal> rates,
        DateTimeOffset now)
    {
        if (settings.Mode == ImportMode.Update || settings.MatchOn == S.Id)
        {
            row.Error(settings.MatchOn, $"No receipt you may see has {settings.MatchOn} '{row.MatchKey}'.");
            return null;
        }

        var contract = contracts.Resolve(row, scope);
        var fields = row.Fields();
        if (row.Failed)
        {
            return null;
        }

        if (contract is null)
        {
            row.Error(S.ContractNumber, "contractNumber or contractExternalId is required.");
            return null;
        }

        var request = new RecordReceiptRequest(contract.Id, fields.Amount, fields.ReceivedDate, fields.Method, fields.Reference, null, row.MatchKey);
        foreach (var failure in validator.Validate(request).Errors)
        {
            var column = JsonNamingPolicy.CamelCase.ConvertName(ImportValues.ColumnOf(failure.PropertyName));
            row.Error(column == "contractId" ? S.ContractNumber : column, failure.ErrorMessage);
        }

        if (row.Failed)
        {
            return null;
        }

        var amount = fields.Amount!.Value;
        if (!contract.AcceptsPayments)
        {
            row.Error(S.ContractNumber, PaymentProblems.NotPayable(contract.Id, contract.Status).Message);
            return null;
        }

        if (amount > contract.Outstanding)
        {
            row.Error(S.Amount, PaymentProblems.ExceedsOutstanding("contract", contract.Outstanding, amount).Message);
            return null;
        }

        var plan = plans.GetValueOrDefault(contract.Id) ?? [];
        var open = Open(plan);
        Guid? instalmentId = null;
        if (fields.InstalmentSequence is { } sequence)
        {
            var named = plan.Find(i => i.Sequence == sequence);
            if (named is null)
            {
                row.Error(S.InstalmentSequence, $"Contract {contract.Number} has no instalment {sequence}.");
                return null;
            }

            if (amount > named.Unpaid)
            {
                row.Error(S.Amount, PaymentProblems.ExceedsOutstanding("instalment", named.Unpaid, amount).Message);
                return null;
            }

            instalmentId = named.Id;
            open = [named];
        }

        var receivedDate = fields.ReceivedDate!.Value;
        if (!rates.TryGetValue((contract.Currency, receivedDate), out var cnyRate))
        {
            row.Error(S.ReceivedDate, ExchangeRateProblems.Missing(contract.Currency, receivedDate).Message);
            return null;
        }

        // Running totals: the next row of the chunk on the same contract or instalment sees this one.
        var receipt = PaymentReceipt.Create(contract, instalmentId, amount, receivedDate, cnyRate, fields.Method!.Value, fields.Reference, now, row.MatchKey);
        var allocations = RecordReceiptHandler.Allocate(receipt, open, amount);
        contract.RecordReceipt(amount, now);
        return (receipt, allocations);
    }

    /// <summary>True when the recorded receipt holds what the row says; otherwise the row is rejected naming the difference.</summary>
    private static bool Compare(
        ReceiptRow row, PaymentReceipt receipt, ImportSettings settings, AccessScope scope, ContractIndex contracts, Dictionary<Guid, List<PaymentInstalment>> plans)
    {
        if (!scope.CanSee(receipt.OwnerId))
        {
            row.Error(settings.MatchOn, $"No receipt you may see has {settings.MatchOn} '{row.MatchKey}'.");
            return false;
        }

        if (settings.Mode == ImportMode.Create)
        {
            row.Error(settings.MatchOn, $"A receipt with {settings.MatchOn} '{row.MatchKey}' is already recorded ({receipt.Id}).");
            return false;
        }

        var contract = row.NamesContract ? contracts.Resolve(row, scope) : null;
        var fields = row.Fields();
        if (row.Failed)
        {
            return false;
        }

        var sequence = plans.GetValueOrDefault(receipt.ContractId)?.Find(i => i.Id == receipt.InstalmentId)?.Sequence;
        var differences = new List<(string Column, string Recorded, string File)>();
        if (row.NamesContract && contract?.Id != receipt.ContractId)
        {
            differences.Add((row.Has(S.ContractNumber) ? S.ContractNumber : S.ContractExternalId, $"contract {receipt.ContractId}", contract!.Number));
        }

        Differ<decimal?>(S.Amount, receipt.Amount, fields.Amount, v => v.GetValueOrDefault().ToString("0.00", CultureInfo.InvariantCulture));
        Differ<DateOnly?>(S.ReceivedDate, receipt.ReceivedDate, fields.ReceivedDate, v => v.GetValueOrDefault().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Differ<PaymentMethod?>(S.Method, receipt.Method, fields.Method, v => JsonNamingPolicy.CamelCase.ConvertName(v.GetValueOrDefault().ToString()));
        Differ(S.Reference, receipt.Reference, fields.Reference, v => v!);
        Differ(S.InstalmentSequence, sequence, fields.InstalmentSequence, v => v.GetValueOrDefault().ToString(CultureInfo.InvariantCulture));
        Differ(S.ExternalId, receipt.ExternalId, ReceiptRow.Clean(row.Row[S.ExternalId]), v => v!);
        Differ<Guid?>(S.Id, receipt.Id, row.Has(S.Id) ? row.Values.Id(S.Id) : null, v => v.GetValueOrDefault().ToString());
        if (row.Failed)
        {
            return false;
        }

        if (differences.Count == 0)
        {
            return true;
        }

        var (column, recorded, file) = differences[0];
        row.Error(column, $"Receipt {receipt.ExternalId ?? receipt.Id.ToString()} is recorded with {column} {recorded}, the file says {file}. Receipts are never edited: "
            + $"reverse it (POST /api/v1/sales/receipts/{receipt.Id}/reverse) and import the correct receipt under a new {S.ExternalId}.");
        return false;

        void Differ<T>(string field, T recorded, T file, Func<T, string> show)
        {
            if (row.Has(field) && !EqualityComparer<T>.Default.Equals(recorded, file))
            {
                differences.Add((field, recorded is null ? "(none)" : show(recorded), file is null ? "(none)" : show(file)));
            }
        }
    }

    /// <summary>
    /// The new receipts, by COPY into a staging table and one <c>INSERT ... ON CONFLICT DO NOTHING RETURNING</c>: a receipt
    /// whose external id another transaction records meanwhile (PostgreSQL waits for it) is left out. Returns those left out.
    /// </summary>
    private static async Task<List<PaymentReceipt>> InsertReceiptsAsync(NpgsqlConnection connection, List<PaymentReceipt> receipts, CancellationToken ct)
    {
        await BulkStaging.CopyAsync(connection, ReceiptStaging, Receipts, ReceiptColumns, receipts, ct);
        var inserted = await BulkStaging.InsertNewSkippingConflictsAsync(connection, ReceiptStaging, Receipts, ReceiptColumns, ct);
        return receipts.Where(r => !inserted.Contains(r.Id)).ToList();
    }

    /// <summary>
    /// The allocations again for the contracts of receipts left out, as if those rows were not in the file: the plans as
    /// stored (nothing of the chunk is applied yet), then the kept receipts in file order, as <see cref="Record"/> allocates.
    /// </summary>
    private async Task<List<PaymentAllocation>> ReallocateAsync(
        List<PaymentReceipt> kept, List<PaymentReceipt> lost, List<PaymentAllocation> allocations, CancellationToken ct)
    {
        var affected = lost.Select(r => r.ContractId).ToHashSet();
        var redone = kept.Where(r => affected.Contains(r.ContractId)).ToList();
        var dropped = lost.Concat(redone).Select(r => r.Id).ToHashSet();
        var result = allocations.Where(a => !dropped.Contains(a.ReceiptId)).ToList();
        var plans = await PlansAsync(affected, ct);
        foreach (var receipt in redone)
        {
            var plan = plans.GetValueOrDefault(receipt.ContractId) ?? [];
            var open = receipt.InstalmentId is { } named ? plan.FindAll(i => i.Id == named) : Open(plan);
            result.AddRange(RecordReceiptHandler.Allocate(receipt, open, receipt.Amount));
        }

        return result;
    }

    /// <summary>The unpaid instalments in the order a receipt fills them (due date, then sequence).</summary>
    private static List<PaymentInstalment> Open(List<PaymentInstalment> plan) =>
        plan.Where(i => i.Unpaid > 0).OrderBy(i => i.DueDate).ThenBy(i => i.Sequence).ToList();

    /// <summary>
    /// The allocations, then what they add to each instalment and what the inserted receipts add to each contract (those
    /// <paramref name="lost"/> are first dropped from the staging table): four statements in one round trip, whatever the number of rows.
    /// </summary>
    private static async Task ApplyAsync(NpgsqlConnection connection, List<PaymentAllocation> allocations, Guid[] lost, DateTimeOffset now, CancellationToken ct)
    {
        await BulkStaging.CopyAsync(connection, AllocationStaging, "sales.payment_allocations", AllocationColumns, allocations, ct);
        await using var apply = new NpgsqlCommand(
            $"""
            DELETE FROM {ReceiptStaging} WHERE id = ANY(@lost);
            INSERT INTO sales.payment_allocations (receipt_id, instalment_id, amount) SELECT receipt_id, instalment_id, amount FROM {AllocationStaging};
            UPDATE sales.payment_instalments i SET paid_amount = i.paid_amount + s.amount
              FROM (SELECT instalment_id, sum(amount) AS amount FROM {AllocationStaging} GROUP BY instalment_id) s
             WHERE i.id = s.instalment_id;
            UPDATE sales.contracts c SET received_amount = c.received_amount + s.amount, updated_at = @now
              FROM (SELECT contract_id, sum(amount) AS amount FROM {ReceiptStaging} GROUP BY contract_id) s
             WHERE c.id = s.contract_id;
            """, connection);
        apply.Parameters.AddWithValue("lost", lost);
        apply.Parameters.AddWithValue("now", now);
        await apply.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The contracts the rows name, by number or external id, locked for the chunk's transaction.</summary>
    private async Task<ContractIndex> LockContractsAsync(List<ReceiptRow> rows, CancellationToken ct)
    {
        var numbers = rows.Select(r => r.ContractNumber).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        var externalIds = rows.Select(r => r.ContractExternalId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        if (numbers.Length + externalIds.Length == 0)
        {
            return new ContractIndex(new List<Contract>());
        }

        var locked = await db.Contracts.FromSql(
                $"SELECT *, xmin FROM sales.contracts WHERE number = ANY({numbers}) OR external_id = ANY({externalIds}) ORDER BY id FOR UPDATE")
            .AsNoTracking().ToListAsync(ct);
        return new ContractIndex(locked);
    }

    /// <summary>The recorded receipts the match keys find (by external id, or by id for <c>matchOn=id</c>).</summary>
    private async Task<Dictionary<string, PaymentReceipt>> FindExistingAsync(string matchOn, List<ReceiptRow> rows, CancellationToken ct)
    {
        var keys = rows.Where(r => !r.Failed).Select(r => r.MatchKey).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count == 0)
        {
            return new Dictionary<string, PaymentReceipt>();
        }

        if (matchOn == S.Id)
        {
            var ids = keys.Select(k => Guid.TryParse(k, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).ToList();
            return await db.PaymentReceipts.AsNoTracking().Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id.ToString(), StringComparer.OrdinalIgnoreCase, ct);
        }

        return await db.PaymentReceipts.AsNoTracking().Where(r => r.ExternalId != null && keys.Contains(r.ExternalId)).ToDictionaryAsync(r => r.ExternalId!, ct);
    }

    /// <summary>
    /// The rates effective on the rows' received days for the currencies of the named contracts, in one statement. The
    /// days are read with a scratch error list: the row's own parse (in <see cref="Record"/>) reports a bad date once.
    /// </summary>
    private static Task<Dictionary<(string Currency, DateOnly Day), decimal>> RatesAsync(
        NpgsqlConnection connection, List<ReceiptRow> rows, ContractIndex contracts, CancellationToken ct)
    {
        var days = rows.Where(r => !r.Failed).Select(r => new ImportValues(r.Row, []).Date(S.ReceivedDate)).OfType<DateOnly>().Distinct().ToList();
        var currencies = contracts.All.Select(c => c.Currency).Distinct(StringComparer.Ordinal);
        return ExchangeRateLookup.RatesAsync(connection, currencies.SelectMany(c => days.Select(d => (c, d))), ct);
    }

    /// <summary>The payment plans of the contracts involved, by contract.</summary>
    private async Task<Dictionary<Guid, List<PaymentInstalment>>> PlansAsync(IEnumerable<Guid> contractIds, CancellationToken ct)
    {
        var ids = contractIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            return new Dictionary<Guid, List<PaymentInstalment>>();
        }

        var instalments = await db.PaymentInstalments.AsNoTracking().Where(i => ids.Contains(i.ContractId)).ToListAsync(ct);
        return instalments.GroupBy(i => i.ContractId).ToDictionary(g => g.Key, g => g.ToList());
    }

    /// <summary>The locked contracts by number and by external id.</summary>
    private sealed class ContractIndex(List<Contract> contracts)
    {
        private readonly Dictionary<string, Contract> _byNumber = contracts.ToDictionary(c => c.Number, StringComparer.Ordinal);
        private readonly Dictionary<string, Contract> _byExternalId = contracts.Where(c => c.ExternalId is not null).ToDictionary(c => c.ExternalId!, StringComparer.Ordinal);

        public IReadOnlyList<Contract> All { get; } = contracts;

        /// <summary>The contract the row names (the number wins; an external id naming another contract is an error); null with an error when none the caller may see.</summary>
        public Contract? Resolve(ReceiptRow row, AccessScope scope)
        {
            Contract? contract = null;
            if (row.ContractNumber is { } number)
            {
                contract = _byNumber.GetValueOrDefault(number);
                if (contract is null || !scope.CanSee(contract.OwnerId))
                {
                    row.Error(S.ContractNumber, $"No contract you may see has the number '{number}'.");
                    return null;
                }
            }

            if (row.ContractExternalId is { } externalId)
            {
                var named = _byExternalId.GetValueOrDefault(externalId);
                if (named is null || !scope.CanSee(named.OwnerId) || (contract is not null && named.Id != contract.Id))
                {
                    row.Error(S.ContractExternalId, contract is null
                        ? $"No contract you may see has the external id '{externalId}'."
                        : $"Contract {contract.Number} does not have the external id '{externalId}'.");
                    return null;
                }

                contract = named;
            }

            return contract;
        }
    }

    /// <summary>The typed cells of a row (absent or empty cells are null).</summary>
    private sealed record ReceiptFields(decimal? Amount, DateOnly? ReceivedDate, PaymentMethod? Method, string? Reference, int? InstalmentSequence);

    /// <summary>One data row: its match key, the contract it names, its typed cells and its errors.</summary>
    private sealed class ReceiptRow
    {
        public ReceiptRow(ImportRow row, List<ImportRowError> errors, string matchOn)
        {
            Row = row;
            Values = new ImportValues(row, errors);
            MatchKey = Clean(row[matchOn]);
            ContractNumber = Clean(row[S.ContractNumber])?.ToUpperInvariant();
            ContractExternalId = Clean(row[S.ContractExternalId]);
        }

        public ImportRow Row { get; }

        public ImportValues Values { get; }

        public int Number => Row.Row;

        public string? MatchKey { get; }

        public string? ContractNumber { get; }

        public string? ContractExternalId { get; }

        public bool NamesContract => ContractNumber is not null || ContractExternalId is not null;

        public bool Failed => Values.Failed;

        public bool Has(string field) => Row.Has(field);

        /// <summary>A text cell trimmed; blank is absent.</summary>
        public static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

        public void Error(string? column, string message) => Values.Error(column, message);

        public ReceiptFields Fields() => new(
            Values.Decimal(S.Amount),
            Values.Date(S.ReceivedDate),
            Values.Enum(S.Method, S.MethodAliases),
            Clean(Row[S.Reference]),
            Values.Integer(S.InstalmentSequence));
    }
}
