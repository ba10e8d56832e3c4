using System.Text.Json;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Assignment;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using S = Crm.Modules.Sales.Features.Leads.Import.LeadImportSchema;

namespace Crm.Modules.Sales.Features.Leads.Import;

/// <summary>
/// Leads for the import pipeline (<c>POST /api/v1/imports/leads</c>). Per chunk, in one transaction: the emails and phones
/// the rows write are locked (<see cref="LeadKeyLocks"/>, one statement) before their matches are looked up, rows are merged
/// into the matching lead like a merge patch (absent columns keep their value) or into an empty one, validated by
/// <see cref="LeadDetailsValidator"/>, built by the domain (so phones, emails and the search text are normalized as the
/// API does), new rows without <c>ownerEmail</c> go through the assignment rules as one batch (one rotation UPDATE per
/// rule), then everything is binary-COPYed into a staging table and written by one UPDATE ... FROM and one
/// INSERT ... SELECT, with one audit summary per action and owner.
/// </summary>
internal sealed class LeadImportTarget(SalesDbContext db, IAccessScopeProvider access, IUserDirectory users, LeadAssigner assigner, TimeProvider time)
    : IImportTarget
{
    private const string Table = "sales.leads";
    private const string Staging = "import_leads";
    private static readonly LeadDetailsValidator Validator = new();

    private static readonly StagedColumn<Lead>[] Columns =
    [
        new("id", NpgsqlDbType.Uuid, l => l.Id, false),
        new("source", NpgsqlDbType.Varchar, l => l.Source, true),
        new("campaign_id", NpgsqlDbType.Uuid, l => l.CampaignId, true),
        new("company_name", NpgsqlDbType.Varchar, l => l.CompanyName, true),
        new("person_name", NpgsqlDbType.Varchar, l => l.PersonName, true),
        new("title", NpgsqlDbType.Varchar, l => l.Title, true),
        new("phones", NpgsqlDbType.Array | NpgsqlDbType.Text, l => l.Phones.ToArray(), true),
        new("emails", NpgsqlDbType.Array | NpgsqlDbType.Text, l => l.Emails.ToArray(), true),
        new("province", NpgsqlDbType.Varchar, l => l.Province, true),
        new("city", NpgsqlDbType.Varchar, l => l.City, true),
        new("industry", NpgsqlDbType.Varchar, l => l.Industry, true),
        new("estimated_value", NpgsqlDbType.Numeric, l => l.EstimatedValue, true),
        new("currency", NpgsqlDbType.Varchar, l => l.Currency, true),
        new("score", NpgsqlDbType.Integer, l => l.Score, true),
        new("status", NpgsqlDbType.Varchar, l => l.Status.ToString(), false),
        new("owner_id", NpgsqlDbType.Uuid, l => l.OwnerId, false),
        new("team_id", NpgsqlDbType.Uuid, l => l.TeamId, false),
        new("partner_id", NpgsqlDbType.Uuid, l => l.PartnerId, true),
        new("notes", NpgsqlDbType.Varchar, l => l.Notes, true),
        new("created_at", NpgsqlDbType.TimestampTz, l => l.CreatedAt, false),
        new("updated_at", NpgsqlDbType.TimestampTz, l => l.UpdatedAt, true),
        new("search_text", NpgsqlDbType.Text, l => l.SearchText, true),
    ];

    public string Entity => "leads";

    public ImportSchema Schema => S.Schema;

    public async Task<ImportChunkResult> ImportChunkAsync(ImportChunk chunk, ImportBeforeCommit beforeCommit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(beforeCommit);
        var settings = chunk.Settings;
        var scope = await access.GetAsync(ct);
        var now = time.UtcNow();
        var errors = new List<ImportRowError>();
        var rows = chunk.Rows.Select(r => new LeadRow(r, errors, settings.MatchOn)).ToList();
        var owners = await OwnersAsync(rows, ct);
        var partners = await PartnersAsync(rows, ct);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();

        // The keys first, then the matches: a lead another import or request writes with one of these emails or phones
        // meanwhile is committed before the lookup below (it is then updated or reported as the mode says), or waits for this chunk.
        await LeadKeyLocks.LockAsync(db, rows.Where(r => !r.Failed).SelectMany(r => r.LockKeys), ct);
        var existing = await FindExistingAsync(settings.MatchOn, rows, ct);

        var created = new List<Lead>();
        var updated = new List<Lead>();
        var unchanged = 0;
        await chunk.Keys.PrefetchAsync(rows.Where(r => !r.Failed).Select(r => r.MatchKey).OfType<string>().Select(k => $"{settings.MatchOn}:{k}"), ct);
        foreach (var row in rows.Where(r => !r.Failed))
        {
            var matches = row.MatchKey is { } key && existing.TryGetValue(key, out var found) ? found : [];
            if (matches.Count > 1)
            {
                row.Error(settings.MatchOn, $"{matches.Count} leads have {settings.MatchOn} '{row.MatchKey}': it does not identify one lead.");
                continue;
            }

            var current = matches.SingleOrDefault();
            if (current is not null && !scope.CanSee(current.OwnerId, includeUnowned: true))
            {
                row.Error(settings.MatchOn, $"No lead you may change has {settings.MatchOn} '{row.MatchKey}'.");
                continue;
            }

            if (row.MatchKey is { } claim && !chunk.Keys.TryClaim($"{settings.MatchOn}:{claim}", row.Number, out var first))
            {
                row.Error(settings.MatchOn, $"Duplicate of row {first} in this file ({settings.MatchOn} '{claim}').");
                continue;
            }

            if (current is null)
            {
                if (Create(row, settings, scope, owners, partners, now) is { } lead)
                {
                    created.Add(lead);
                }
            }
            else if (Update(row, current, settings, owners, partners, now) is { } changed)
            {
                if (changed)
                {
                    updated.Add(current);
                }
                else
                {
                    unchanged++;
                }
            }
        }

        if (!settings.DryRun && created.Count + updated.Count > 0)
        {
            // Inside the chunk's transaction: the rules' rotations move only if the leads are written.
            await assigner.AssignAsync(created, ct);
            await BulkStaging.CopyAsync(connection, Staging, Table, Columns, created.Concat(updated), ct);
            await BulkStaging.UpdateFromAsync(connection, Staging, Table, Columns, "true", ct);
            await BulkStaging.InsertNewAsync(connection, Staging, Table, Columns, ct);
            await OutboxBulkWriter.CopyAsync(connection, SalesDbContext.SchemaName, created.Select(LeadIntegrationEvents.Created), ct);

            await SalesImportChunk.AddAuditSummariesAsync(db, AuditAction.Created, created, l => l.OwnerId, ct);
            await SalesImportChunk.AddAuditSummariesAsync(db, AuditAction.Updated, updated, l => l.OwnerId, ct);
        }

        return await SalesImportChunk.FinishAsync(db, transaction, settings, new ImportChunkResult(created.Count, updated.Count, unchanged, errors), beforeCommit, ct);
    }

    private static Lead? Create(
        LeadRow row, ImportSettings settings, AccessScope scope, IReadOnlyDictionary<string, UserSummary> owners, IReadOnlyDictionary<string, Guid> partners, DateTimeOffset now)
    {
        if (settings.Mode == ImportMode.Update)
        {
            row.Error(settings.MatchOn, $"No lead has {settings.MatchOn} '{row.MatchKey}'.");
            return null;
        }

        if (settings.Mode == ImportMode.Upsert && row.MatchKey is null)
        {
            row.Error(settings.MatchOn, $"{settings.MatchOn} is needed to upsert (use mode=create to add leads without it).");
            return null;
        }

        UserSummary? owner = null;
        if (row.OwnerEmail is { } email)
        {
            if (!owners.TryGetValue(email, out owner) || !owner.Active)
            {
                row.Error(S.OwnerEmail, $"No active user has the email '{email}'.");
            }
            else if (owner.Id != scope.UserId && !scope.CanSee(owner.Id))
            {
                row.Error(S.OwnerEmail, $"You may not make {email} the owner: only managers (for their team) and administrators may assign leads to others.");
            }
        }

        var details = row.MergeInto(LeadRow.Empty, partners);
        if (details is null || !Validate(row, details))
        {
            return null;
        }

        // No owner column: the assignment rules decide, as for a create without ownerId.
        return Lead.Create(details, owner?.Id, owner?.TeamId, now);
    }

    /// <summary>True when the row changed the lead, false when it holds what the lead has; null when rejected.</summary>
    private static bool? Update(
        LeadRow row, Lead current, ImportSettings settings, IReadOnlyDictionary<string, UserSummary> owners, IReadOnlyDictionary<string, Guid> partners, DateTimeOffset now)
    {
        if (settings.Mode == ImportMode.Create)
        {
            row.Error(settings.MatchOn, $"A lead with {settings.MatchOn} '{row.MatchKey}' already exists ({current.Id}).");
            return null;
        }

        if (row.OwnerEmail is { } email && (!owners.TryGetValue(email, out var owner) || owner.Id != current.OwnerId))
        {
            row.Error(S.OwnerEmail, $"ownerEmail differs from the owner of lead {current.Id}; owners change through POST /api/v1/sales/leads/{{id}}/assign.");
        }

        var before = current.Details();
        var details = row.MergeInto(before, partners);
        if (details is null || !Validate(row, details))
        {
            return null;
        }

        var changed = Fingerprint(Lead.Create(details, null, null, now).Details()) != Fingerprint(before);
        if (changed && !current.IsOpen)
        {
            row.Error(null, $"Lead {current.Id} is {LeadsProblems.Name(current.Status)}: a disqualified or converted lead can no longer be changed.");
            return null;
        }

        if (changed)
        {
            current.Update(details, now);
        }

        return changed;
    }

    private static bool Validate(LeadRow row, LeadDetails details)
    {
        foreach (var failure in Validator.Validate(details).Errors)
        {
            var bracket = failure.PropertyName.IndexOf('[', StringComparison.Ordinal);
            row.Error(bracket < 0 ? failure.PropertyName : failure.PropertyName[..bracket], failure.ErrorMessage);
        }

        return !row.Failed;
    }

    /// <summary>Normalized, so "138-0013-8000" in a file equals the stored "13800138000".</summary>
    private static string Fingerprint(LeadDetails details) => JsonSerializer.Serialize(details);

    private async Task<IReadOnlyDictionary<string, UserSummary>> OwnersAsync(List<LeadRow> rows, CancellationToken ct)
    {
        var emails = rows.Select(r => r.OwnerEmail).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return emails.Count == 0 ? new Dictionary<string, UserSummary>() : await users.FindByEmailsAsync(emails, ct);
    }

    /// <summary>Active partners named in the file, by name.</summary>
    private async Task<IReadOnlyDictionary<string, Guid>> PartnersAsync(List<LeadRow> rows, CancellationToken ct)
    {
        var names = rows.Select(r => r.PartnerName).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        return names.Count == 0
            ? new Dictionary<string, Guid>()
            : await db.Partners.AsNoTracking().Where(p => p.Active && names.Contains(p.Name)).ToDictionaryAsync(p => p.Name, p => p.Id, ct);
    }

    /// <summary>The leads each match key finds, locked for the chunk's transaction; array keys go through the GIN indexes one by one.</summary>
    private async Task<Dictionary<string, List<Lead>>> FindExistingAsync(string matchOn, List<LeadRow> rows, CancellationToken ct)
    {
        var keys = rows.Where(r => !r.Failed).Select(r => r.MatchKey).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        var byKey = new Dictionary<string, List<Lead>>(StringComparer.Ordinal);
        if (keys.Length == 0)
        {
            return byKey;
        }

        var query = matchOn == S.Emails
            ? db.Leads.FromSql($"SELECT *, xmin FROM sales.leads WHERE id IN (SELECT l.id FROM unnest({keys}) AS k(key) JOIN sales.leads l ON l.emails @> ARRAY[k.key]) FOR UPDATE")
            : db.Leads.FromSql($"SELECT *, xmin FROM sales.leads WHERE id IN (SELECT l.id FROM unnest({keys}) AS k(key) JOIN sales.leads l ON l.phones @> ARRAY[k.key]) FOR UPDATE");
        var wanted = keys.ToHashSet(StringComparer.Ordinal);
        foreach (var lead in await query.AsNoTracking().ToListAsync(ct))
        {
            foreach (var value in (matchOn == S.Emails ? lead.Emails : lead.Phones).Where(wanted.Contains))
            {
                (byKey.TryGetValue(value, out var list) ? list : byKey[value] = []).Add(lead);
            }
        }

        return byKey;
    }

    /// <summary>One data row: its typed cells, its match key and its errors (one per bad cell; the row is then rejected).</summary>
    private sealed class LeadRow
    {
        public static readonly LeadDetails Empty = new(null, null, null, null, null, [], [], null, null, null, null, null, null, null, null);

        private readonly ImportRow _row;
        private readonly ImportValues _values;

        public LeadRow(ImportRow row, List<ImportRowError> errors, string matchOn)
        {
            _row = row;
            _values = new ImportValues(row, errors);
            OwnerEmail = Text(S.OwnerEmail)?.Trim() is { Length: > 0 } owner ? owner : null;
            PartnerName = Text(S.PartnerName)?.Trim() is { Length: > 0 } partner ? partner : null;
            var first = row.List(matchOn).FirstOrDefault();
            MatchKey = first is null ? null : matchOn == S.Emails ? Lead.NormalizeEmail(first) : Lead.NormalizePhone(first);
        }

        public int Number => _row.Row;

        public string? MatchKey { get; }

        public string? OwnerEmail { get; }

        public string? PartnerName { get; }

        public bool Failed => _values.Failed;

        /// <summary>The lock keys of the emails and phones the row writes; its match key is one of them.</summary>
        public IEnumerable<string> LockKeys => LeadKeyLocks.Keys(_row.List(S.Emails).Select(Lead.NormalizeEmail), _row.List(S.Phones).Select(Lead.NormalizePhone));

        public void Error(string? column, string message) => _values.Error(column, message);

        /// <summary>The row's columns over <paramref name="current"/>: absent columns keep their value, empty cells clear it.</summary>
        public LeadDetails? MergeInto(LeadDetails current, IReadOnlyDictionary<string, Guid> partners)
        {
            var partnerId = current.PartnerId;
            if (_row.Has(S.PartnerName))
            {
                partnerId = PartnerName is null ? null : partners.TryGetValue(PartnerName, out var id) ? id : Fail<Guid?>(S.PartnerName, $"No active partner is named '{PartnerName}'.");
            }

            var details = new LeadDetails(
                Pick(S.Source, current.Source),
                _row.Has(S.CampaignId) ? _values.Id(S.CampaignId) : current.CampaignId,
                Pick(S.CompanyName, current.CompanyName),
                Pick(S.PersonName, current.PersonName),
                Pick(S.Title, current.Title),
                _row.Has(S.Phones) ? _row.List(S.Phones) : current.Phones,
                _row.Has(S.Emails) ? _row.List(S.Emails) : current.Emails,
                Pick(S.Province, current.Province),
                Pick(S.City, current.City),
                Pick(S.Industry, current.Industry),
                _row.Has(S.EstimatedValue) ? _values.Decimal(S.EstimatedValue) : current.EstimatedValue,
                _row.Has(S.Currency) ? Text(S.Currency) ?? Lead.DefaultCurrency : current.Currency,
                _row.Has(S.Score) ? _values.Integer(S.Score) : current.Score,
                partnerId,
                Pick(S.Notes, current.Notes));
            return Failed ? null : details;
        }

        private string? Text(string field) => _row[field];

        private string? Pick(string field, string? current) => _row.Has(field) ? Text(field) : current;

        private T Fail<T>(string field, string message)
        {
            Error(field, message);
            return default!;
        }
    }
}
