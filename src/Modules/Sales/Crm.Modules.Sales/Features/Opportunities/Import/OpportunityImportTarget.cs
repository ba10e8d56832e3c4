using Crm.Modules.Customers.Contracts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using S = Crm.Modules.Sales.Features.Opportunities.Import.OpportunityImportSchema;

namespace Crm.Modules.Sales.Features.Opportunities.Import;

/// <summary>
/// Opportunities for the import pipeline (<c>POST /api/v1/imports/opportunities</c>), matched on their external id.
/// Per chunk, in one transaction: customers (by code or external id), owners (by email), pipelines and stages are
/// resolved by a few set queries, the matches are read and locked by one query, each row is merged like a merge patch
/// and validated by <see cref="OpportunityDetailsValidator"/>, then the rows are COPYed into a staging table and written
/// by one UPDATE ... FROM and one INSERT ... SELECT; stage moves write their history rows by one more COPY, and the
/// events the API raises (OpportunityCreated, OpportunityStageChanged) go to the outbox by one binary COPY. Rows that
/// would close an opportunity are rejected: winning and losing go through their actions.
/// </summary>
internal sealed class OpportunityImportTarget(
    SalesDbContext db, IAccessScopeProvider access, IUserDirectory users, ICustomerDirectory customers, TimeProvider time) : IImportTarget
{
    private const string Table = "sales.opportunities";
    private static readonly OpportunityDetailsValidator Validator = new();

    private static readonly StagedColumn<Opportunity>[] Columns =
    [
        new("id", NpgsqlDbType.Uuid, o => o.Id, false),
        new("name", NpgsqlDbType.Varchar, o => o.Name),
        new("customer_id", NpgsqlDbType.Uuid, o => o.CustomerId, false),
        new("pipeline_id", NpgsqlDbType.Uuid, o => o.PipelineId, false),
        new("stage_id", NpgsqlDbType.Uuid, o => o.StageId),
        new("status", NpgsqlDbType.Varchar, o => o.Status.ToString()),
        new("amount", NpgsqlDbType.Numeric, o => o.Amount),
        new("currency", NpgsqlDbType.Varchar, o => o.Currency),
        new("probability", NpgsqlDbType.Integer, o => o.Probability),
        new("expected_close_date", NpgsqlDbType.Date, o => o.ExpectedCloseDate),
        new("owner_id", NpgsqlDbType.Uuid, o => o.OwnerId, false),
        new("team_id", NpgsqlDbType.Uuid, o => o.TeamId, false),
        new("source", NpgsqlDbType.Varchar, o => o.Source),
        new("description", NpgsqlDbType.Varchar, o => o.Description),
        new("external_id", NpgsqlDbType.Varchar, o => o.ExternalId),
        new("stage_entered_at", NpgsqlDbType.TimestampTz, o => o.StageEnteredAt),
        new("created_at", NpgsqlDbType.TimestampTz, o => o.CreatedAt, false),
        new("updated_at", NpgsqlDbType.TimestampTz, o => o.UpdatedAt),
    ];

    private static readonly StagedColumn<OpportunityStageChange>[] ChangeColumns =
    [
        new("id", NpgsqlDbType.Uuid, c => c.Id, false),
        new("opportunity_id", NpgsqlDbType.Uuid, c => c.OpportunityId, false),
        new("from_stage_id", NpgsqlDbType.Uuid, c => c.FromStageId, false),
        new("to_stage_id", NpgsqlDbType.Uuid, c => c.ToStageId, false),
        new("from_stage_entered_at", NpgsqlDbType.TimestampTz, c => c.FromStageEnteredAt, false),
        new("changed_at", NpgsqlDbType.TimestampTz, c => c.ChangedAt, false),
        new("changed_by", NpgsqlDbType.Uuid, c => c.ChangedBy, false),
    ];

    public string Entity => "opportunities";

    public ImportSchema Schema => S.Schema;

    public async Task<ImportChunkResult> ImportChunkAsync(ImportChunk chunk, ImportBeforeCommit beforeCommit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(beforeCommit);
        var settings = chunk.Settings;
        var scope = await access.GetAsync(ct);
        var now = time.UtcNow();
        var errors = new List<ImportRowError>();
        var rows = chunk.Rows.Select(r => new OpportunityRow(r, errors)).ToList();
        var lookups = await LookupsAsync(rows, ct);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var existing = await FindExistingAsync(rows, ct);
        var existingIds = existing.Values.Select(o => o.Id).ToList();
        var withLines = existingIds.Count == 0
            ? new HashSet<Guid>()
            : (await db.OpportunityLines.Where(l => existingIds.Contains(l.OpportunityId)).Select(l => l.OpportunityId).Distinct().ToListAsync(ct)).ToHashSet();

        var created = new List<Opportunity>();
        var rowOf = new Dictionary<Guid, OpportunityRow>();
        var updated = new List<Opportunity>();
        var moves = new List<(Opportunity Opportunity, OpportunityStageChange Change, PipelineStage Stage)>();
        var unchanged = 0;
        await chunk.Keys.PrefetchAsync(rows.Where(r => !r.Failed).Select(r => r.ExternalId).OfType<string>().Select(k => $"{S.ExternalId}:{k}"), ct);
        foreach (var row in rows.Where(r => !r.Failed))
        {
            if (row.ExternalId is not { } key)
            {
                if (settings.Mode != ImportMode.Create)
                {
                    row.Error(S.ExternalId, "externalId is needed to upsert or update (use mode=create to add opportunities without it).");
                    continue;
                }
            }
            else if (!chunk.Keys.TryClaim($"{S.ExternalId}:{key}", row.Number, out var first))
            {
                row.Error(S.ExternalId, $"Duplicate of row {first} in this file (externalId '{key}').");
                continue;
            }

            if (row.ExternalId is null || !existing.TryGetValue(row.ExternalId, out var current))
            {
                if (Create(row, settings, scope, lookups, now) is { } opportunity)
                {
                    created.Add(opportunity);
                    rowOf[opportunity.Id] = row;
                }

                continue;
            }

            if (Update(row, current, settings, scope, lookups, withLines.Contains(current.Id), now) is not { } outcome)
            {
                continue;
            }

            if (!outcome.Changed)
            {
                unchanged++;
                continue;
            }

            updated.Add(current);
            if (outcome.Move is { } move)
            {
                moves.Add((current, move, outcome.Stage!));
            }
        }

        if (!settings.DryRun && created.Count + updated.Count > 0)
        {
            await BulkStaging.CopyAsync(connection, "import_opportunities", Table, Columns, created.Concat(updated), ct);
            await BulkStaging.UpdateFromAsync(connection, "import_opportunities", Table, Columns, "true", ct);
            var inserted = await BulkStaging.InsertNewSkippingConflictsAsync(connection, "import_opportunities", Table, Columns, ct);
            foreach (var lost in created.Where(o => !inserted.Contains(o.Id)))
            {
                rowOf[lost.Id].Error(S.ExternalId, $"Opportunity '{lost.ExternalId}' was created by another import or request at the same time; "
                    + "run the file again to compare this row with it.");
            }

            created.RemoveAll(o => !inserted.Contains(o.Id));
            if (moves.Count > 0)
            {
                await BulkStaging.CopyAsync(connection, "import_stage_changes", "sales.opportunity_stage_changes", ChangeColumns, moves.Select(m => m.Change), ct);
                await BulkStaging.InsertNewAsync(connection, "import_stage_changes", "sales.opportunity_stage_changes", ChangeColumns, ct);
            }

            IEnumerable<IIntegrationEvent> events = created.Select(OpportunityStageEvents.Created);
            await OutboxBulkWriter.CopyAsync(
                connection, SalesDbContext.SchemaName, events.Concat(moves.Select(m => OpportunityStageEvents.StageChanged(m.Opportunity, m.Change, m.Stage))), ct);

            await SalesImportChunk.AddAuditSummariesAsync(db, AuditAction.Created, created, o => o.OwnerId, ct);
            await SalesImportChunk.AddAuditSummariesAsync(db, AuditAction.Updated, updated, o => o.OwnerId, ct);
        }

        return await SalesImportChunk.FinishAsync(db, transaction, settings, new ImportChunkResult(created.Count, updated.Count, unchanged, errors), beforeCommit, ct);
    }

    private static Opportunity? Create(OpportunityRow row, ImportSettings settings, AccessScope scope, Lookups lookups, DateTimeOffset now)
    {
        if (settings.Mode == ImportMode.Update)
        {
            row.Error(S.ExternalId, $"No opportunity has externalId '{row.ExternalId}'.");
            return null;
        }

        var customer = lookups.Customer(row);
        if (customer is null && !row.NamesCustomer)
        {
            row.Error(S.CustomerCode, "customerCode or customerExternalId is required for a new opportunity.");
        }
        else if (customer is null || !scope.CanSee(customer.OwnerId, includeUnowned: true))
        {
            row.Error(row.CustomerColumn, $"No customer '{row.CustomerKey}' that you can see.");
            customer = null;
        }
        else if (customer.Status is "archived" or "blacklisted")
        {
            row.Error(row.CustomerColumn, $"Customer {customer.Code} is {customer.Status}: no new opportunities.");
            customer = null;
        }

        var owner = Owner(row, scope, lookups);
        var stage = lookups.StartStage(row);
        var details = row.MergeInto(OpportunityRow.Empty);
        if (customer is null || owner is null || stage is null || details is null || !Validate(row, details))
        {
            return null;
        }

        var opportunity = Opportunity.Create(
            details.Name, customer.Id, null, null, stage, details.Amount, details.Currency, details.ExpectedCloseDate, owner.Id, owner.TeamId, now);
        opportunity.Update(details, now);
        return opportunity;
    }

    /// <summary>The owner of a new opportunity: the row's <c>ownerEmail</c> (someone the caller may hand work to) or the caller.</summary>
    private static UserSummary? Owner(OpportunityRow row, AccessScope scope, Lookups lookups)
    {
        if (row.OwnerEmail is not { } email)
        {
            if (scope.UserId is { } me && lookups.Caller is { } caller && caller.Id == me)
            {
                return caller;
            }

            row.Error(S.OwnerEmail, "ownerEmail is required when the caller is not a user (an API key).");
            return null;
        }

        var owner = SalesImportReferences.AssignableOwner(email, scope, lookups.Owners, out var problem);
        if (problem is not null)
        {
            row.Error(S.OwnerEmail, problem);
        }

        return owner;
    }

    private static Outcome? Update(
        OpportunityRow row, Opportunity current, ImportSettings settings, AccessScope scope, Lookups lookups, bool hasLines, DateTimeOffset now)
    {
        if (settings.Mode == ImportMode.Create)
        {
            row.Error(S.ExternalId, $"An opportunity with externalId '{row.ExternalId}' already exists ({current.Id}).");
            return null;
        }

        if (!scope.CanSee(current.OwnerId))
        {
            row.Error(S.ExternalId, $"No opportunity you may change has externalId '{row.ExternalId}'.");
            return null;
        }

        if (row.NamesCustomer && lookups.Customer(row)?.Id != current.CustomerId)
        {
            row.Error(row.CustomerColumn, $"Opportunity {current.Id} is with another customer: an opportunity stays with its customer.");
        }

        if (row.OwnerEmail is { } email && (!lookups.Owners.TryGetValue(email, out var owner) || owner.Id != current.OwnerId))
        {
            row.Error(S.OwnerEmail, $"ownerEmail differs from the owner of opportunity {current.Id}; owners change through PATCH ownerId.");
        }

        if (row.PipelineName is { } pipeline && lookups.Pipeline(row)?.Id != current.PipelineId)
        {
            row.Error(S.Pipeline, $"Opportunity {current.Id} runs in another pipeline than '{pipeline}': the pipeline does not change.");
        }

        var stage = row.StageText is null ? null : lookups.Stage(current.PipelineId, row);
        var moving = stage is not null && stage.Id != current.StageId;
        if (moving && stage!.Kind != StageKind.Open)
        {
            row.Error(S.Stage, $"'{row.StageText}' closes the opportunity: win or lose it through POST /api/v1/sales/opportunities/{{id}}/win or /lose.");
        }

        var before = current.Details();
        var details = row.MergeInto(before);
        if (row.Failed || details is null || !Validate(row, details))
        {
            return null;
        }

        // Compared after the domain's normalization (trimmed text, upper-case currency), so an exported file re-imports unchanged.
        var probe = Opportunity.Create(details.Name, current.CustomerId, null, null, lookups.StageById(current.StageId), details.Amount, details.Currency, null, null, null, now);
        probe.Update(details, now);
        var changed = probe.Details() != before;
        if (!changed && !moving)
        {
            return new Outcome(false, null, null);
        }

        if (!current.IsOpen)
        {
            row.Error(null, $"Opportunity {current.Id} is {current.Status.ToString().ToLowerInvariant()}: a won or lost opportunity is read-only, reopen it first.");
            return null;
        }

        if (hasLines && (probe.Amount != before.Amount || probe.Currency != before.Currency))
        {
            row.Error(S.Amount, "amount and currency follow the product lines while the opportunity has some: change the lines.");
            return null;
        }

        if (changed)
        {
            current.Update(details, now);
        }

        return moving ? new Outcome(true, current.MoveTo(stage!, scope.UserId, now), stage) : new Outcome(true, null, null);
    }

    private static bool Validate(OpportunityRow row, OpportunityDetails details)
    {
        foreach (var failure in Validator.Validate(details).Errors)
        {
            row.Error(ImportValues.ColumnOf(failure.PropertyName), failure.ErrorMessage);
        }

        return !row.Failed;
    }

    /// <summary>Customers, owners, pipelines and stages the chunk names: a few set queries, before the transaction.</summary>
    private async Task<Lookups> LookupsAsync(List<OpportunityRow> rows, CancellationToken ct)
    {
        var byCode = await SalesImportReferences.CustomersAsync(customers, rows.Select(r => r.CustomerCode), false, ct);
        var byExternalId = await SalesImportReferences.CustomersAsync(customers, rows.Select(r => r.CustomerExternalId), true, ct);
        var emails = rows.Select(r => r.OwnerEmail).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var owners = emails.Count == 0 ? new Dictionary<string, UserSummary>() : await users.FindByEmailsAsync(emails, ct);
        var scope = await access.GetAsync(ct);
        var caller = scope.UserId is { } me ? await users.FindByIdAsync(me, ct) : null;
        var pipelines = await db.Pipelines.AsNoTracking().Where(p => p.Active).ToListAsync(ct);
        var stages = await db.PipelineStages.AsNoTracking().ToListAsync(ct);
        return new Lookups(byCode, byExternalId, owners, caller, pipelines, stages);
    }

    /// <summary>The opportunities the chunk's external ids name, locked for the chunk's transaction (one query on the unique index).</summary>
    private async Task<Dictionary<string, Opportunity>> FindExistingAsync(List<OpportunityRow> rows, CancellationToken ct)
    {
        var keys = rows.Where(r => !r.Failed).Select(r => r.ExternalId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        return keys.Length == 0
            ? new Dictionary<string, Opportunity>(StringComparer.Ordinal)
            : await db.Opportunities.FromSql($"SELECT *, xmin FROM sales.opportunities WHERE external_id = ANY({keys}) FOR UPDATE")
                .AsNoTracking().ToDictionaryAsync(o => o.ExternalId!, StringComparer.Ordinal, ct);
    }

    /// <summary>What an update did to an opportunity: changed or not, and the stage move (history row and target stage) if it moved.</summary>
    private sealed record Outcome(bool Changed, OpportunityStageChange? Move, PipelineStage? Stage);

    /// <summary>The chunk's references by their natural keys.</summary>
    private sealed record Lookups(
        Dictionary<string, CustomerSnapshot> CustomersByCode,
        Dictionary<string, CustomerSnapshot> CustomersByExternalId,
        IReadOnlyDictionary<string, UserSummary> Owners,
        UserSummary? Caller,
        List<Pipeline> Pipelines,
        List<PipelineStage> Stages)
    {
        public CustomerSnapshot? Customer(OpportunityRow row) =>
            row.CustomerCode is { } code ? CustomersByCode.GetValueOrDefault(code)
            : row.CustomerExternalId is { } externalId ? CustomersByExternalId.GetValueOrDefault(externalId)
            : null;

        /// <summary>The pipeline the row names (by name, case-insensitively), or the default one when it names none.</summary>
        public Pipeline? Pipeline(OpportunityRow row) => row.PipelineName is { } name
            ? Pipelines.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            : Pipelines.FirstOrDefault(p => p.IsDefault);

        public PipelineStage StageById(Guid id) => Stages.Single(s => s.Id == id);

        /// <summary>The stage the row names in <paramref name="pipelineId"/>: by code, by full name, or by its Chinese or English half (初期联络).</summary>
        public PipelineStage? Stage(Guid pipelineId, OpportunityRow row)
        {
            var text = row.StageText!;
            var stage = Stages.Where(s => s.PipelineId == pipelineId).FirstOrDefault(s =>
                string.Equals(s.Code, text, StringComparison.OrdinalIgnoreCase)
                || string.Equals(s.Name, text, StringComparison.OrdinalIgnoreCase)
                || s.Name.Split(' ', 2).Any(half => string.Equals(half, text, StringComparison.OrdinalIgnoreCase)));
            if (stage is null)
            {
                row.Error(S.Stage, $"No stage '{text}' in the pipeline (use a stage code such as intentReached or its name such as 意向达成).");
            }

            return stage;
        }

        /// <summary>Where a new opportunity starts: the named open stage, else the pipeline's first open stage.</summary>
        public PipelineStage? StartStage(OpportunityRow row)
        {
            if (Pipeline(row) is not { } pipeline)
            {
                row.Error(S.Pipeline, row.PipelineName is null ? "No pipeline is marked default: name one." : $"No active pipeline is named '{row.PipelineName}'.");
                return null;
            }

            if (row.StageText is null)
            {
                return Stages.Where(s => s.PipelineId == pipeline.Id && s.Kind == StageKind.Open).MinBy(s => s.Position);
            }

            var stage = Stage(pipeline.Id, row);
            if (stage is { Kind: not StageKind.Open })
            {
                row.Error(S.Stage, $"'{row.StageText}' closes the opportunity: a new opportunity starts in an open stage (win or lose it through its actions).");
                return null;
            }

            return stage;
        }
    }

    /// <summary>One data row: its references by natural key, its cells and its errors (one per bad cell; the row is then rejected).</summary>
    private sealed class OpportunityRow
    {
        public static readonly OpportunityDetails Empty = new(string.Empty, 0m, Opportunity.DefaultCurrency, null, null, null, null, null);

        private readonly ImportRow _row;
        private readonly ImportValues _values;

        public OpportunityRow(ImportRow row, List<ImportRowError> errors)
        {
            _row = row;
            _values = new ImportValues(row, errors);
            ExternalId = Trimmed(S.ExternalId);
            CustomerCode = Trimmed(S.CustomerCode);
            CustomerExternalId = Trimmed(S.CustomerExternalId);
            OwnerEmail = Trimmed(S.OwnerEmail);
            PipelineName = Trimmed(S.Pipeline);
            StageText = Trimmed(S.Stage);
        }

        public int Number => _row.Row;

        public string? ExternalId { get; }

        public string? CustomerCode { get; }

        public string? CustomerExternalId { get; }

        public bool NamesCustomer => CustomerCode is not null || CustomerExternalId is not null;

        public string CustomerColumn => CustomerCode is not null ? S.CustomerCode : S.CustomerExternalId;

        public string? CustomerKey => CustomerCode ?? CustomerExternalId;

        public string? OwnerEmail { get; }

        public string? PipelineName { get; }

        public string? StageText { get; }

        public bool Failed => _values.Failed;

        public void Error(string? column, string message) => _values.Error(column, message);

        /// <summary>The row's columns over <paramref name="current"/>: absent columns keep their value, empty cells clear it.</summary>
        public OpportunityDetails? MergeInto(OpportunityDetails current)
        {
            var amount = current.Amount;
            if (_row.Has(S.Amount))
            {
                if (string.IsNullOrWhiteSpace(_row[S.Amount]))
                {
                    Error(S.Amount, "amount cannot be empty: write 0.");
                }
                else
                {
                    amount = _values.Decimal(S.Amount) ?? amount;
                }
            }

            var details = new OpportunityDetails(
                _row.Has(S.Name) ? _row[S.Name] ?? string.Empty : current.Name,
                amount,
                _row.Has(S.Currency) ? _row[S.Currency]?.Trim().ToUpperInvariant() ?? Opportunity.DefaultCurrency : current.Currency,
                _row.Has(S.ExpectedCloseDate) ? _values.Date(S.ExpectedCloseDate) : current.ExpectedCloseDate,
                current.ContactId,
                current.PartnerId,
                _row.Has(S.Source) ? _row[S.Source] : current.Source,
                _row.Has(S.Description) ? _row[S.Description] : current.Description,
                _row.Has(S.ExternalId) ? _row[S.ExternalId] : current.ExternalId);
            return Failed ? null : details;
        }

        private string? Trimmed(string field) => _row[field]?.Trim() is { Length: > 0 } text ? text : null;
    }
}
