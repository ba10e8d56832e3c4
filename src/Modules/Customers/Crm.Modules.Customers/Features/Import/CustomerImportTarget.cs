using System.Text.Json;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.Regions;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using S = Crm.Modules.Customers.Features.Import.CustomerImportSchema;

namespace Crm.Modules.Customers.Features.Import;

/// <summary>
/// Customers for the import pipeline. Per chunk, in one transaction: the rows are parsed and merged into the current
/// record exactly like a merge patch (absent columns keep their value), validated by <see cref="CustomerDetailsValidator"/>,
/// checked for duplicates (in the file through the job's key registry, in the database by one query), built by the
/// domain (<see cref="Customer.Create"/> / <see cref="Customer.Update"/>, so search columns are derived as the API derives
/// them), then written set-based: new customers by one binary COPY straight into the table (see <see cref="InsertAsync"/>),
/// changed ones through a COPYed staging table and one UPDATE ... FROM.
/// </summary>
internal sealed class CustomerImportTarget(CustomersDbContext db, IAccessScopeProvider access, IUserDirectory users, RegionCatalog regions, TimeProvider time)
    : IImportTarget
{
    private const string Table = "customers.customers";
    private const string Staging = "import_customers";
    private const string NewStaging = "import_new_customers";
    private const string DirectInsert = "import_direct_insert";
    private static readonly CustomerDetailsValidator Validator = new();

    /// <summary>Every column a customer import writes; the updatable ones are what an update may change.</summary>
    private static readonly StagedColumn<Customer>[] Columns =
    [
        new("id", NpgsqlDbType.Uuid, c => c.Id, Updatable: false),
        new("kind", NpgsqlDbType.Varchar, c => c.Kind.ToString(), Updatable: false),
        new("code", NpgsqlDbType.Varchar, c => c.Code, Updatable: false),
        new("external_id", NpgsqlDbType.Varchar, c => c.ExternalId),
        new("name", NpgsqlDbType.Varchar, c => c.Name),
        new("short_name", NpgsqlDbType.Varchar, c => c.ShortName),
        new("registration_number", NpgsqlDbType.Varchar, c => c.RegistrationNumber),
        new("industry", NpgsqlDbType.Varchar, c => c.Industry),
        new("source_channel", NpgsqlDbType.Varchar, c => c.SourceChannel),
        new("province", NpgsqlDbType.Varchar, c => c.Province),
        new("city", NpgsqlDbType.Varchar, c => c.City),
        new("district", NpgsqlDbType.Varchar, c => c.District),
        new("address", NpgsqlDbType.Varchar, c => c.Address),
        new("phones", NpgsqlDbType.Array | NpgsqlDbType.Text, c => c.Phones.ToArray()),
        new("emails", NpgsqlDbType.Array | NpgsqlDbType.Text, c => c.Emails.ToArray()),
        new("website", NpgsqlDbType.Varchar, c => c.Website),
        new("tags", NpgsqlDbType.Array | NpgsqlDbType.Text, c => c.Tags.ToArray()),
        new("tier", NpgsqlDbType.Varchar, c => c.Tier),
        new("relationship_type", NpgsqlDbType.Varchar, c => c.RelationshipType.ToString()),
        new("lifecycle_stage", NpgsqlDbType.Varchar, c => c.LifecycleStage.ToString()),
        new("status", NpgsqlDbType.Varchar, c => c.Status.ToString(), Updatable: false),
        new("owner_id", NpgsqlDbType.Uuid, c => c.OwnerId, Updatable: false),
        new("team_id", NpgsqlDbType.Uuid, c => c.TeamId, Updatable: false),
        new("is_key_account", NpgsqlDbType.Boolean, c => c.IsKeyAccount),
        new("is_potential_key_account", NpgsqlDbType.Boolean, c => c.IsPotentialKeyAccount),
        new("credit_limit", NpgsqlDbType.Numeric, c => c.CreditLimit),
        new("credit_rating", NpgsqlDbType.Varchar, c => c.CreditRating),
        new("outstanding_balance", NpgsqlDbType.Numeric, c => c.OutstandingBalance),
        new("currency", NpgsqlDbType.Varchar, c => c.Currency, Updatable: false),
        new("created_at", NpgsqlDbType.TimestampTz, c => c.CreatedAt, Updatable: false),
        new("updated_at", NpgsqlDbType.TimestampTz, c => c.UpdatedAt),
        new("search_text", NpgsqlDbType.Text, c => c.SearchText),
        new("name_bigrams", NpgsqlDbType.Array | NpgsqlDbType.Text, c => c.NameBigrams.ToArray()),
        new("name_key", NpgsqlDbType.Varchar, c => c.NameKey),
        new("phone_keys", NpgsqlDbType.Array | NpgsqlDbType.Text, c => c.PhoneKeys.ToArray()),
        new("region_code", NpgsqlDbType.Varchar, c => c.RegionCode),
        new("custom_fields", NpgsqlDbType.Jsonb, c => c.CustomFields),
    ];

    public string Entity => "customers";

    public ImportSchema Schema => S.Schema;

    public async Task<ImportChunkResult> ImportChunkAsync(ImportChunk chunk, ImportBeforeCommit beforeCommit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(beforeCommit);
        var settings = chunk.Settings;
        var scope = await access.GetAsync(ct);
        var now = time.UtcNow();
        var errors = new List<ImportRowError>();
        var rows = chunk.Rows.Select(r => CustomerRow.Parse(r, settings.MatchOn, errors)).Where(r => r is not null).Select(r => r!).ToList();
        var owners = await ResolveOwnersAsync(rows, ct);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var existing = await FindExistingAsync(settings.MatchOn, rows, ct);
        var taken = await FindTakenAsync(rows, ct);
        var similar = await SimilarCustomers.FindAsync(connection, rows, ct);

        // Every row built first, with the unique keys it claims as they are then (a later row matching the same customer
        // changes the object); then the chunk's keys looked up among the job's earlier claims in one query (ADR 0044); then
        // the claims, in file order.
        var built = new List<(CustomerRow Row, Customer? Current, Customer Outcome, UniqueKeys Keys)>();

        // A customer is changed by the first row of the chunk that matches it; a later row matching it is a duplicate and
        // must not touch the object, which the first row's update will write.
        var changedBy = new Dictionary<Customer, CustomerRow>(ReferenceEqualityComparer.Instance);
        foreach (var row in rows)
        {
            var matches = row.MatchKey is { } key && existing.TryGetValue(key, out var found) ? found : [];
            if (matches.Count > 1)
            {
                row.Values.Error(settings.MatchOn, $"{matches.Count} customers have {settings.MatchOn} '{row.MatchKey}': it does not identify one customer.");
                continue;
            }

            var current = matches.SingleOrDefault();
            if (current is not null && !scope.CanSee(current.OwnerId))
            {
                row.Values.Error(settings.MatchOn, $"No customer you may change has {settings.MatchOn} '{row.MatchKey}'.");
                continue;
            }

            if (current is not null && changedBy.TryGetValue(current, out var first))
            {
                row.Values.Error(settings.MatchOn, first.MatchKey == row.MatchKey
                    ? $"Duplicate of row {first.Values.Row.Row} in this file ({settings.MatchOn} '{row.MatchKey}')."
                    : $"Row {first.Values.Row.Row} of this file already matches customer {current.Code}: one row per customer.");
                continue;
            }

            var outcome = current is null
                ? Create(row, settings, scope, owners, now)
                : Update(row, current, settings, owners, now);
            if (outcome is not null)
            {
                if (current is not null)
                {
                    changedBy[current] = row;
                }

                built.Add((row, current, outcome, UniqueKeys.Of(row, outcome, settings.MatchOn)));
            }
        }

        await chunk.Keys.PrefetchAsync(built.SelectMany(b => b.Keys.Claims.Select(c => c.Key)
            .Concat(b.Current is null ? SimilarCustomers.Claims(b.Row, b.Outcome).Select(c => c.Key) : [])), ct);
        var created = new List<Customer>();
        var updated = new List<Customer>();
        var unchanged = 0;
        foreach (var (row, current, outcome, keys) in built)
        {
            if (!Unique(row, keys, taken, chunk.Keys) || (current is null && !similar.Allows(row, outcome, chunk.Keys)))
            {
                continue;
            }

            if (current is null)
            {
                created.Add(outcome);
            }
            else if (row.Changed)
            {
                updated.Add(outcome);
            }
            else
            {
                unchanged++;
            }
        }

        var createdCount = created.Count;
        var updatedCount = updated.Count;
        if (!settings.DryRun && createdCount + updatedCount > 0)
        {
            var inserted = await InsertAsync(connection, transaction, created, ct);
            var changed = await UpdateAsync(connection, updated, ct);
            foreach (var lost in created.Where(c => !inserted.Contains(c.Id)))
            {
                errors.Add(new ImportRowError(rows.First(r => r.Built == lost).Values.Row.Row, null, "Another customer with the same external id or registration number was saved at the same time."));
            }

            created = created.Where(c => inserted.Contains(c.Id)).ToList();
            createdCount = created.Count;
            updatedCount = changed.Count;
            await OutboxBulkWriter.CopyAsync(connection, CustomersDbContext.SchemaName, created.Select(customer => CustomerWrites.CreatedEvent(customer, now)), ct);

            // One audit summary per action and owner instead of a field-level entry per row (docs/adr/0015-bulk-import-export.md).
            // Summaries get their key when saved, so each is saved on its own (same transaction, a few owners per chunk).
            foreach (var group in created.GroupBy(c => c.OwnerId))
            {
                db.AddAuditSummary<Customer>(AuditAction.Created, group.Count(), new Dictionary<string, object?> { ["ownerId"] = group.Key }, group.Key);
                await db.SaveChangesAsync(ct);
            }

            await RecordStageChangesAsync(connection, rows.Where(r => r.Built is { } c && changed.Contains(c.Id)), now, ct);
            foreach (var group in updated.Where(c => changed.Contains(c.Id)).GroupBy(c => c.OwnerId))
            {
                db.AddAuditSummary<Customer>(AuditAction.Updated, group.Count(), null, group.Key);
                await db.SaveChangesAsync(ct);
            }
        }

        var result = new ImportChunkResult(createdCount, updatedCount, unchanged, errors);
        if (!settings.DryRun)
        {
            await beforeCommit(connection, result, ct);
            await transaction.CommitAsync(ct);
        }

        db.ChangeTracker.Clear();
        return result;
    }

    private Customer? Create(CustomerRow row, ImportSettings settings, AccessScope scope, IReadOnlyDictionary<string, UserSummary> owners, DateTimeOffset now)
    {
        if (settings.Mode == ImportMode.Update)
        {
            row.Values.Error(settings.MatchOn, $"No customer has {settings.MatchOn} '{row.MatchKey}'.");
            return null;
        }

        if (settings.Mode == ImportMode.Upsert && row.MatchKey is null)
        {
            row.Values.Error(settings.MatchOn, $"{settings.MatchOn} is needed to upsert (use mode=create to add customers without it).");
            return null;
        }

        if (settings.MatchOn == S.Code && row.MatchKey is not null)
        {
            row.Values.Error(S.Code, $"No customer has code '{row.MatchKey}'; codes are generated, so new customers are matched on another key.");
            return null;
        }

        if (row.Kind is null)
        {
            row.Values.Error(S.Kind, "kind is required: organization or individual.");
        }

        UserSummary? owner = null;
        if (row.OwnerEmail is { } email)
        {
            owner = OwnerOf(row, email, scope, owners);
        }
        else if (scope.UserId is { } self)
        {
            owner = owners.Values.FirstOrDefault(u => u.Id == self && u.Active);
            if (owner is null)
            {
                row.Values.Error(S.OwnerEmail, "You are not an active user, so you cannot own the customers you import; name an owner in ownerEmail.");
            }
        }
        else
        {
            row.Values.Error(S.OwnerEmail, "ownerEmail is required when the caller is not a user (an API key).");
        }

        if (row.OutstandingBalance is { } balance && balance != 0m)
        {
            row.Values.Error(S.OutstandingBalance, "outstandingBalance is read-only: a new customer starts at 0 and its balance moves only through payment events and POST /api/v1/customers/{id}/balance-adjustments; leave the column empty.");
        }

        var details = WithRegion(row, row.MergeInto(CustomerRow.Empty), force: true);
        if (details is null || !Validate(row, row.Kind, details) || owner is null || row.Kind is not { } kind)
        {
            return null;
        }

        var customer = Customer.Create(kind, details, owner.Id, owner.TeamId, now);
        row.Built = customer;
        return customer;
    }

    private Customer? Update(CustomerRow row, Customer current, ImportSettings settings, IReadOnlyDictionary<string, UserSummary> owners, DateTimeOffset now)
    {
        if (settings.Mode == ImportMode.Create)
        {
            row.Values.Error(settings.MatchOn, $"A customer with {settings.MatchOn} '{row.MatchKey}' already exists ({current.Code}).");
            return null;
        }

        if (current.Status == CustomerStatus.Archived)
        {
            row.Values.Error(null, $"Customer {current.Code} is archived and can no longer be changed.");
            return null;
        }

        if (row.Kind is { } kind && kind != current.Kind)
        {
            row.Values.Error(S.Kind, $"kind cannot change (customer {current.Code} is {JsonNamingPolicy.CamelCase.ConvertName(current.Kind.ToString())}).");
        }

        if (row.OwnerEmail is { } email && (!owners.TryGetValue(email, out var owner) || owner.Id != current.OwnerId))
        {
            row.Values.Error(S.OwnerEmail, $"ownerEmail differs from the owner of customer {current.Code}; owners change by a transfer (POST /api/v1/customers/{{id}}/transfer).");
        }

        var before = Fingerprint(current.Details());
        var details = WithRegion(row, row.MergeInto(current.Details()), force: false);
        if (details is null || !ActionOwnedUnchanged(row, current, details) || !Validate(row, current.Kind, details))
        {
            return null;
        }

        row.PreviousStage = current.LifecycleStage;
        current.Update(details, now);
        row.Changed = Fingerprint(current.Details()) != before;
        row.Built = current;
        return current;
    }

    /// <summary>
    /// The region checked against GB/T 2260 and stored with its official names and code, as the API does: always for a
    /// new customer, for an update only when the row has a region column. Null (with the row's error) when it is not valid.
    /// </summary>
    private CustomerDetails? WithRegion(CustomerRow row, CustomerDetails details, bool force)
    {
        if (!force && !row.Values.Row.Has(S.Province) && !row.Values.Row.Has(S.City) && !row.Values.Row.Has(S.District))
        {
            return details;
        }

        try
        {
            var region = regions.Resolve(details.Province, details.City, details.District);
            return details with { Province = region.Province, City = region.City, District = region.District, RegionCode = region.Code };
        }
        catch (ValidationFailedException invalid)
        {
            foreach (var (field, messages) in invalid.Errors)
            {
                row.Values.Error(field, string.Join(" ", messages));
            }

            return null;
        }
    }

    /// <summary>
    /// As for PATCH, an update does not change what the status actions and payment events own; the same value (an
    /// exported file re-imported) is fine.
    /// </summary>
    private static bool ActionOwnedUnchanged(CustomerRow row, Customer current, CustomerDetails details)
    {
        (string Column, bool Same, string Use)[] owned =
        [
            (S.IsKeyAccount, details.IsKeyAccount == current.IsKeyAccount, "POST /api/v1/customers/{id}/key-account"),
            (S.IsPotentialKeyAccount, details.IsPotentialKeyAccount == current.IsPotentialKeyAccount, "POST /api/v1/customers/{id}/key-account"),
            (S.CreditLimit, details.CreditLimit == current.CreditLimit, "POST /api/v1/customers/{id}/credit-limit"),
            (S.CreditRating, string.Equals(details.CreditRating?.ToUpperInvariant(), current.CreditRating, StringComparison.Ordinal), "POST /api/v1/customers/{id}/credit-limit"),
            (S.OutstandingBalance, row.OutstandingBalance is null || row.OutstandingBalance == current.OutstandingBalance,
                "payment events and POST /api/v1/customers/{id}/balance-adjustments"),
        ];
        foreach (var (column, same, use) in owned.Where(o => !o.Same))
        {
            row.Values.Error(column, $"{column} of an existing customer ({current.Code}) changes only through {use}.");
        }

        return !row.Values.Failed;
    }

    /// <summary>Stage changes made by updated rows: their history rows and timeline events, as PATCH writes them.</summary>
    private async Task RecordStageChangesAsync(NpgsqlConnection connection, IEnumerable<CustomerRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        var moved = rows.Where(r => r.PreviousStage is { } before && before != r.Built!.LifecycleStage).ToList();
        if (moved.Count == 0)
        {
            return;
        }

        var actorId = (await access.GetAsync(ct)).UserId;
        var changes = moved.Select(r => (Customer: r.Built!, From: Camel(r.PreviousStage!.Value), To: Camel(r.Built!.LifecycleStage))).ToList();
        db.CustomerHistory.AddRange(changes.Select(c => CustomerHistoryEntry.Create(c.Customer.Id, CustomerHistoryField.LifecycleStage, c.From, c.To, null, actorId, now)));
        await db.SaveChangesAsync(ct);
        await OutboxBulkWriter.CopyAsync(connection, CustomersDbContext.SchemaName,
            changes.Select(c => new CustomerLifecycleStageChanged(now) { CustomerId = c.Customer.Id, FromStage = c.From, ToStage = c.To }), ct);

        static string Camel(LifecycleStage stage) => JsonNamingPolicy.CamelCase.ConvertName(stage.ToString());
    }

    private static bool Validate(CustomerRow row, CustomerKind? kind, CustomerDetails details)
    {
        foreach (var failure in Validator.Validate(new CustomerState(kind, details)).Errors)
        {
            row.Values.Error(ImportValues.ColumnOf(failure.PropertyName), failure.ErrorMessage);
        }

        return !row.Values.Failed;
    }

    /// <summary>The external id and registration number are unique in the database and in the file; so is the match key.</summary>
    private static bool Unique(CustomerRow row, UniqueKeys keys, IReadOnlyList<(Guid Id, string? ExternalId, string? RegistrationNumber)> taken, IImportKeyRegistry file)
    {
        if (keys.ExternalId is { } externalId && taken.Any(t => t.ExternalId == externalId && t.Id != keys.Id))
        {
            row.Values.Error(S.ExternalId, $"Another customer already has the external id '{externalId}'.");
        }

        if (keys.RegistrationNumber is { } number && taken.Any(t => t.RegistrationNumber == number && t.Id != keys.Id))
        {
            row.Values.Error(S.RegistrationNumber, $"Another customer already has the registration number '{number}'.");
        }

        foreach (var (field, value, key) in keys.Claims)
        {
            if (!row.Values.Failed && !file.TryClaim(key, row.Values.Row.Row, out var first))
            {
                row.Values.Error(field, $"Duplicate of row {first} in this file ({field} '{value}').");
            }
        }

        return !row.Values.Failed;
    }

    private static UserSummary? OwnerOf(CustomerRow row, string email, AccessScope scope, IReadOnlyDictionary<string, UserSummary> owners)
    {
        if (!owners.TryGetValue(email, out var owner) || !owner.Active)
        {
            row.Values.Error(S.OwnerEmail, $"No active user has the email '{email}'.");
            return null;
        }

        if (owner.Id != scope.UserId && !scope.CanSee(owner.Id))
        {
            row.Values.Error(S.OwnerEmail, $"You may not make {email} the owner: only managers (for their team) and administrators may assign customers to others.");
            return null;
        }

        return owner;
    }

    private async Task<IReadOnlyDictionary<string, UserSummary>> ResolveOwnersAsync(List<CustomerRow> rows, CancellationToken ct)
    {
        var emails = rows.Select(r => r.OwnerEmail).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var scope = await access.GetAsync(ct);
        var found = emails.Count > 0 ? await users.FindByEmailsAsync(emails, ct) : new Dictionary<string, UserSummary>();
        if (scope.UserId is not { } self || found.Values.Any(u => u.Id == self) || rows.All(r => r.OwnerEmail is not null))
        {
            return found;
        }

        // The caller owns the rows without an owner column: their team is stamped on the customers too.
        var caller = await users.FindByIdAsync(self, ct);
        var all = new Dictionary<string, UserSummary>(found, StringComparer.OrdinalIgnoreCase);
        if (caller is not null)
        {
            all[caller.Email] = caller;
        }

        return all;
    }

    /// <summary>The customers each match key finds (locked for the chunk's transaction), by normalized key.</summary>
    private async Task<Dictionary<string, List<Customer>>> FindExistingAsync(string matchOn, List<CustomerRow> rows, CancellationToken ct)
    {
        var keys = rows.Select(r => r.MatchKey).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        var byKey = new Dictionary<string, List<Customer>>(StringComparer.Ordinal);
        if (keys.Length == 0)
        {
            return byKey;
        }

        var query = matchOn switch
        {
            S.ExternalId => db.Customers.FromSql($"SELECT *, xmin FROM customers.customers WHERE external_id = ANY({keys}) FOR UPDATE"),
            S.Code => db.Customers.FromSql($"SELECT *, xmin FROM customers.customers WHERE code = ANY({keys}) FOR UPDATE"),
            S.RegistrationNumber => db.Customers.FromSql($"SELECT *, xmin FROM customers.customers WHERE registration_number = ANY({keys}) FOR UPDATE"),
            // Array keys are looked up one by one through the GIN index (see SimilarCustomers for why not `&&` on thousands).
            S.Emails => db.Customers.FromSql(
                $"SELECT *, xmin FROM customers.customers WHERE id IN (SELECT c.id FROM unnest({keys}) AS k(key) JOIN customers.customers c ON c.emails @> ARRAY[k.key]) FOR UPDATE"),
            _ => db.Customers.FromSql(
                $"SELECT *, xmin FROM customers.customers WHERE id IN (SELECT c.id FROM unnest({keys}) AS k(key) JOIN customers.customers c ON c.phone_keys @> ARRAY[k.key]) FOR UPDATE"),
        };
        var wanted = keys.ToHashSet(StringComparer.Ordinal);
        // A merged customer only redirects to its survivor: it is never the one a row updates.
        foreach (var customer in (await query.AsNoTracking().ToListAsync(ct)).Where(c => c.Status != CustomerStatus.Merged))
        {
            IEnumerable<string?> values = matchOn switch
            {
                S.ExternalId => new[] { customer.ExternalId },
                S.Code => new[] { customer.Code },
                S.RegistrationNumber => new[] { customer.RegistrationNumber },
                S.Emails => customer.Emails,
                _ => customer.PhoneKeys,
            };
            foreach (var value in values.OfType<string>().Where(wanted.Contains))
            {
                (byKey.TryGetValue(value, out var list) ? list : byKey[value] = []).Add(customer);
            }
        }

        return byKey;
    }

    private async Task<IReadOnlyList<(Guid Id, string? ExternalId, string? RegistrationNumber)>> FindTakenAsync(List<CustomerRow> rows, CancellationToken ct)
    {
        var externalIds = rows.Select(r => r.Values.Text(S.ExternalId)?.Trim()).Where(v => !string.IsNullOrEmpty(v)).Distinct().ToList();
        var numbers = rows.Select(r => r.Values.Text(S.RegistrationNumber)).Where(v => !string.IsNullOrWhiteSpace(v))
            .Select(v => CustomerIdentifiers.Normalize(v!)).Distinct().ToList();
        if (externalIds.Count == 0 && numbers.Count == 0)
        {
            return [];
        }

        var taken = await db.Customers.AsNoTracking()
            .Where(c => externalIds.Contains(c.ExternalId!) || numbers.Contains(c.RegistrationNumber!))
            .Select(c => new { c.Id, c.ExternalId, c.RegistrationNumber })
            .ToListAsync(ct);
        return taken.Select(t => (t.Id, t.ExternalId, t.RegistrationNumber)).ToList();
    }

    /// <summary>
    /// New customers go in by one binary COPY straight into the table, their codes taken from the sequence first: their
    /// keys were probed above, so normally none is taken. When a concurrent transaction has saved one of their unique keys
    /// since, the COPY fails as a whole; the chunk then rolls back to just before it and inserts through a staging table
    /// with ON CONFLICT DO NOTHING, which leaves out only the rows that lost the race. Returns the ids inserted.
    /// </summary>
    private static async Task<HashSet<Guid>> InsertAsync(NpgsqlConnection connection, IDbContextTransaction transaction, List<Customer> created, CancellationToken ct)
    {
        if (created.Count == 0)
        {
            return [];
        }

        await using (var next = new NpgsqlCommand($"SELECT {CustomersDbContext.NextCodeSql} FROM generate_series(1, $1)", connection))
        {
            next.Parameters.Add(new NpgsqlParameter<int> { TypedValue = created.Count });
            await using var codes = await next.ExecuteReaderAsync(ct);
            foreach (var customer in created)
            {
                await codes.ReadAsync(ct);
                customer.AssignCode(codes.GetString(0));
            }
        }

        await transaction.CreateSavepointAsync(DirectInsert, ct);
        try
        {
            await BulkStaging.CopyIntoAsync(connection, Table, Columns, created, ct);
            return created.Select(c => c.Id).ToHashSet();
        }
        catch (PostgresException raced) when (raced.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await transaction.RollbackToSavepointAsync(DirectInsert, ct);
        }

        await BulkStaging.CopyAsync(connection, NewStaging, Table, Columns, created, ct);
        var names = string.Join(", ", Columns.Select(c => c.Name));
        await using var insert = new NpgsqlCommand(
            $"INSERT INTO {Table} ({names}) SELECT {names} FROM {NewStaging} ON CONFLICT DO NOTHING RETURNING id", connection);
        return await BulkStaging.ReadIdsAsync(insert, ct);
    }

    /// <summary>The changed customers: staged by binary COPY, written by one UPDATE ... FROM; the ids updated.</summary>
    private static async Task<HashSet<Guid>> UpdateAsync(NpgsqlConnection connection, List<Customer> updated, CancellationToken ct)
    {
        if (updated.Count == 0)
        {
            return [];
        }

        await BulkStaging.CopyAsync(connection, Staging, Table, Columns, updated, ct);
        return await BulkStaging.UpdateFromAsync(connection, Staging, Table, Columns, "true", ct);
    }

    private static string Fingerprint(CustomerDetails details) => JsonSerializer.Serialize(details);

    /// <summary>A built customer's unique keys as the row left them, and the claims they make in the file: the match key, the external id, the registration number.</summary>
    private sealed record UniqueKeys(Guid Id, string? ExternalId, string? RegistrationNumber, IReadOnlyList<(string Field, string Value, string Key)> Claims)
    {
        public static UniqueKeys Of(CustomerRow row, Customer customer, string matchOn)
        {
            var claims = new List<(string Field, string Value)>();
            if (row.MatchKey is { } key)
            {
                claims.Add((matchOn, key));
            }

            if (customer.ExternalId is { } ext)
            {
                claims.Add((S.ExternalId, ext));
            }

            if (customer.RegistrationNumber is { } reg)
            {
                claims.Add((S.RegistrationNumber, reg));
            }

            return new UniqueKeys(customer.Id, customer.ExternalId, customer.RegistrationNumber,
                claims.Distinct().Select(c => (c.Field, c.Value, $"{c.Field}:{c.Value}")).ToList());
        }
    }
}
