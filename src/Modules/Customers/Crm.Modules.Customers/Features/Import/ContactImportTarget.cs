using System.Text.Json;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Contacts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Modules.Customers.Features.Import;

/// <summary>
/// Contacts for the import pipeline. Each row names its customer by <c>customerCode</c> or <c>customerExternalId</c>
/// (one query per chunk resolves them, within the caller's visibility) and is matched on an email or phone among that
/// customer's contacts. The contact window and consents are not imported: consents change only with their history.
/// </summary>
internal sealed class ContactImportTarget(CustomersDbContext db, IAccessScopeProvider access, ContactDetailsValidator validator, TimeProvider time) : IImportTarget
{
    public const string CustomerCode = "customerCode";
    public const string CustomerExternalId = "customerExternalId";
    public const string Name = "name";
    public const string Title = "title";
    public const string DecisionRole = "decisionRole";
    public const string Phones = "phones";
    public const string Emails = "emails";
    public const string WeChatId = "weChatId";
    public const string Birthday = "birthday";
    public const string PreferredChannel = "preferredChannel";

    private const string Table = "customers.contacts";
    private const string Staging = "import_contacts";

    public static readonly ImportSchema ContactSchema = new(
        [CustomerCode, CustomerExternalId, Name, Title, DecisionRole, Phones, Emails, WeChatId, Birthday, PreferredChannel],
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["客户编号"] = CustomerCode, ["客户编码"] = CustomerCode,
            ["客户外部编号"] = CustomerExternalId, ["外部编号"] = CustomerExternalId,
            ["姓名"] = Name, ["联系人"] = Name, ["联系人姓名"] = Name,
            ["职务"] = Title, ["职位"] = Title,
            ["决策角色"] = DecisionRole, ["角色"] = DecisionRole,
            ["手机"] = Phones, ["电话"] = Phones, ["手机号"] = Phones, ["联系电话"] = Phones, ["phone"] = Phones, ["mobile"] = Phones,
            ["邮箱"] = Emails, ["电子邮箱"] = Emails, ["email"] = Emails,
            ["微信"] = WeChatId, ["微信号"] = WeChatId,
            ["生日"] = Birthday,
            ["首选渠道"] = PreferredChannel, ["联系方式"] = PreferredChannel,
        },
        ["id", "customerId", "ownerId", "isArchived", "createdAt", "updatedAt", "archivedAt"],
        [Emails, Phones],
        [Phones, Emails]);

    private static readonly IReadOnlyDictionary<string, Domain.DecisionRole> RoleNames = new Dictionary<string, Domain.DecisionRole>(StringComparer.Ordinal)
    {
        ["决策者"] = Domain.DecisionRole.DecisionMaker, ["影响者"] = Domain.DecisionRole.Influencer,
        ["使用者"] = Domain.DecisionRole.User, ["把关者"] = Domain.DecisionRole.Gatekeeper,
    };

    private static readonly IReadOnlyDictionary<string, ContactChannel> ChannelNames = new Dictionary<string, ContactChannel>(StringComparer.Ordinal)
    {
        ["电话"] = ContactChannel.Phone, ["邮件"] = ContactChannel.Email, ["短信"] = ContactChannel.Sms,
        ["微信"] = ContactChannel.Wechat, ["拜访"] = ContactChannel.Visit, ["信件"] = ContactChannel.Mail,
    };

    private static readonly StagedColumn<Contact>[] Columns =
    [
        new("id", NpgsqlDbType.Uuid, c => c.Id, Updatable: false),
        new("customer_id", NpgsqlDbType.Uuid, c => c.CustomerId, Updatable: false),
        new("owner_id", NpgsqlDbType.Uuid, c => c.OwnerId, Updatable: false),
        new("name", NpgsqlDbType.Varchar, c => c.Name),
        new("title", NpgsqlDbType.Varchar, c => c.Title),
        new("decision_role", NpgsqlDbType.Varchar, c => c.DecisionRole?.ToString()),
        new("phones", NpgsqlDbType.Array | NpgsqlDbType.Text, c => c.Phones.ToArray()),
        new("emails", NpgsqlDbType.Array | NpgsqlDbType.Text, c => c.Emails.ToArray()),
        new("we_chat_id", NpgsqlDbType.Varchar, c => c.WeChatId),
        new("birthday", NpgsqlDbType.Date, c => c.Birthday),
        new("preferred_channel", NpgsqlDbType.Varchar, c => c.PreferredChannel?.ToString()),
        new("window_days", NpgsqlDbType.Array | NpgsqlDbType.Integer, c => c.WindowDays.Select(d => (int)d).ToArray(), Updatable: false),
        new("window_from", NpgsqlDbType.Time, c => c.WindowFrom, Updatable: false),
        new("window_to", NpgsqlDbType.Time, c => c.WindowTo, Updatable: false),
        new("window_time_zone", NpgsqlDbType.Varchar, c => c.WindowTimeZone, Updatable: false),
        new("is_archived", NpgsqlDbType.Boolean, c => c.IsArchived, Updatable: false),
        new("created_at", NpgsqlDbType.TimestampTz, c => c.CreatedAt, Updatable: false),
        new("updated_at", NpgsqlDbType.TimestampTz, c => c.UpdatedAt),
    ];

    public string Entity => "contacts";

    public ImportSchema Schema => ContactSchema;

    public async Task<ImportChunkResult> ImportChunkAsync(ImportChunk chunk, ImportBeforeCommit beforeCommit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(beforeCommit);
        var settings = chunk.Settings;
        var scope = await access.GetAsync(ct);
        var now = time.UtcNow();
        var errors = new List<ImportRowError>();
        var rows = chunk.Rows.Select(r => ContactRow.Parse(r, settings.MatchOn, errors)).OfType<ContactRow>().ToList();
        var customers = await FindCustomersAsync(rows, ct);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var existing = await FindExistingAsync(rows, customers, ct);
        var created = new List<Contact>();
        var updated = new List<Contact>();
        var unchanged = 0;
        await chunk.Keys.PrefetchAsync(
            rows.Where(r => r.MatchKey is not null).Select(r => r.CustomerOf(customers) is { } c ? $"{c.Id}:{r.MatchKey}" : null).OfType<string>(), ct);

        // A contact is changed by the first row of the chunk that matches it; a later row matching it is a duplicate and
        // must not touch the object, which the first row's update will write.
        var changedBy = new Dictionary<Contact, ContactRow>(ReferenceEqualityComparer.Instance);
        foreach (var row in rows)
        {
            var customer = row.CustomerOf(customers);
            if (customer is null || !scope.CanSee(customer.OwnerId))
            {
                row.Values.Error(row.CustomerColumn, row.CustomerColumn is null
                    ? "customerCode or customerExternalId is required: the customer the contact belongs to."
                    : $"No customer you can see has {row.CustomerColumn} '{row.Values.Text(row.CustomerColumn)}'.");
                continue;
            }

            if (customer.Status == CustomerStatus.Archived)
            {
                row.Values.Error(row.CustomerColumn, $"Customer {customer.Code} is archived and can no longer be changed.");
                continue;
            }

            var matches = row.MatchKey is { } key && existing.TryGetValue((customer.Id, key), out var found) ? found : [];
            if (matches is [var matched] && changedBy.TryGetValue(matched, out var first))
            {
                row.Values.Error(settings.MatchOn, first.MatchKey == row.MatchKey
                    ? $"Duplicate of row {first.Values.Row.Row} in this file (same customer and {settings.MatchOn} '{row.MatchKey}')."
                    : $"Row {first.Values.Row.Row} of this file already matches this contact of customer {customer.Code}: one row per contact.");
                continue;
            }

            var contact = matches.Count > 1
                ? Reject(row, settings.MatchOn, $"{matches.Count} contacts of customer {customer.Code} have {settings.MatchOn} '{row.MatchKey}'.")
                : matches.Count == 1 ? await UpdateAsync(row, matches[0], settings, now, ct) : await CreateAsync(row, customer, settings, now, ct);
            if (contact is not null && matches.Count == 1)
            {
                changedBy[contact] = row;
            }

            if (contact is null || (row.MatchKey is { } claimed && !Claim(row, chunk.Keys, $"{customer.Id}:{claimed}", settings.MatchOn)))
            {
                continue;
            }

            if (matches.Count == 0)
            {
                created.Add(contact);
            }
            else if (row.Changed)
            {
                updated.Add(contact);
            }
            else
            {
                unchanged++;
            }
        }

        var updatedCount = updated.Count;
        if (!settings.DryRun && created.Count + updated.Count > 0)
        {
            // New contacts have fresh ids and no other unique key: one binary COPY straight into the table.
            if (created.Count > 0)
            {
                await BulkStaging.CopyIntoAsync(connection, Table, Columns, created, ct);
            }

            var changed = new HashSet<Guid>();
            if (updated.Count > 0)
            {
                await BulkStaging.CopyAsync(connection, Staging, Table, Columns, updated, ct);
                changed = await BulkStaging.UpdateFromAsync(connection, Staging, Table, Columns, "true", ct);
            }

            updatedCount = changed.Count;
            // Summaries get their key when saved, so each is saved on its own (same transaction, a few owners per chunk).
            foreach (var group in created.GroupBy(c => c.OwnerId))
            {
                db.AddAuditSummary<Contact>(AuditAction.Created, group.Count(), null, group.Key);
                await db.SaveChangesAsync(ct);
            }

            foreach (var group in updated.GroupBy(c => c.OwnerId))
            {
                db.AddAuditSummary<Contact>(AuditAction.Updated, group.Count(), null, group.Key);
                await db.SaveChangesAsync(ct);
            }
        }

        var result = new ImportChunkResult(created.Count, updatedCount, unchanged, errors);
        if (!settings.DryRun)
        {
            await beforeCommit(connection, result, ct);
            await transaction.CommitAsync(ct);
        }

        db.ChangeTracker.Clear();
        return result;
    }

    private async Task<Contact?> CreateAsync(ContactRow row, ImportCustomer customer, ImportSettings settings, DateTimeOffset now, CancellationToken ct)
    {
        if (settings.Mode == ImportMode.Update)
        {
            return Reject(row, settings.MatchOn, $"Customer {customer.Code} has no contact with {settings.MatchOn} '{row.MatchKey}'.");
        }

        if (settings.Mode == ImportMode.Upsert && row.MatchKey is null)
        {
            return Reject(row, settings.MatchOn, $"{settings.MatchOn} is needed to upsert (use mode=create to add contacts without it).");
        }

        var details = row.MergeInto(ContactRow.Empty);
        return await ValidAsync(row, details, ct) ? Contact.Create(customer.Id, customer.OwnerId, details, now) : null;
    }

    private async Task<Contact?> UpdateAsync(ContactRow row, Contact current, ImportSettings settings, DateTimeOffset now, CancellationToken ct)
    {
        if (settings.Mode == ImportMode.Create)
        {
            return Reject(row, settings.MatchOn, $"The customer already has a contact with {settings.MatchOn} '{row.MatchKey}'.");
        }

        var before = JsonSerializer.Serialize(current.Details());
        var details = row.MergeInto(current.Details());
        if (!await ValidAsync(row, details, ct))
        {
            return null;
        }

        current.Update(details, now);
        row.Changed = JsonSerializer.Serialize(current.Details()) != before;
        return current;
    }

    private async Task<bool> ValidAsync(ContactRow row, ContactDetails details, CancellationToken ct)
    {
        foreach (var failure in (await validator.ValidateAsync(details, ct)).Errors)
        {
            row.Values.Error(ImportValues.ColumnOf(failure.PropertyName), failure.ErrorMessage);
        }

        return !row.Values.Failed;
    }

    private static Contact? Reject(ContactRow row, string column, string message)
    {
        row.Values.Error(column, message);
        return null;
    }

    private static bool Claim(ContactRow row, IImportKeyRegistry keys, string key, string matchOn)
    {
        if (keys.TryClaim(key, row.Values.Row.Row, out var first))
        {
            return true;
        }

        row.Values.Error(matchOn, $"Duplicate of row {first} in this file (same customer and {matchOn} '{row.MatchKey}').");
        return false;
    }

    private async Task<IReadOnlyList<ImportCustomer>> FindCustomersAsync(List<ContactRow> rows, CancellationToken ct)
    {
        var codes = rows.Select(r => r.CustomerCode).OfType<string>().Distinct().ToList();
        var externalIds = rows.Select(r => r.CustomerExternalId).OfType<string>().Distinct().ToList();
        if (codes.Count == 0 && externalIds.Count == 0)
        {
            return [];
        }

        return await db.Customers.AsNoTracking()
            .Where(c => codes.Contains(c.Code) || externalIds.Contains(c.ExternalId!))
            .Select(c => new ImportCustomer(c.Id, c.Code, c.ExternalId, c.OwnerId, c.Status))
            .ToListAsync(ct);
    }

    /// <summary>The current contacts of the chunk's customers carrying a match key, locked, by (customer, key).</summary>
    private async Task<Dictionary<(Guid, string), List<Contact>>> FindExistingAsync(List<ContactRow> rows, IReadOnlyList<ImportCustomer> customers, CancellationToken ct)
    {
        var byKey = new Dictionary<(Guid, string), List<Contact>>();
        var keys = rows.Select(r => r.MatchKey).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        var customerIds = customers.Select(c => c.Id).ToArray();
        if (keys.Length == 0 || customerIds.Length == 0)
        {
            return byKey;
        }

        var phones = rows.Count > 0 && rows[0].MatchesOnPhone;
        var query = phones
            ? db.Contacts.FromSql($"SELECT *, xmin FROM customers.contacts WHERE customer_id = ANY({customerIds}) AND NOT is_archived AND phones && {keys} FOR UPDATE")
            : db.Contacts.FromSql($"SELECT *, xmin FROM customers.contacts WHERE customer_id = ANY({customerIds}) AND NOT is_archived AND emails && {keys} FOR UPDATE");
        var wanted = keys.ToHashSet(StringComparer.Ordinal);
        foreach (var contact in await query.AsNoTracking().ToListAsync(ct))
        {
            foreach (var value in (phones ? contact.Phones : contact.Emails).Where(wanted.Contains))
            {
                (byKey.TryGetValue((contact.CustomerId, value), out var list) ? list : byKey[(contact.CustomerId, value)] = []).Add(contact);
            }
        }

        return byKey;
    }

    internal sealed class ContactRow
    {
        public static readonly ContactDetails Empty = new(string.Empty, null, null, [], [], null, null, null, null);

        private ContactRow(ImportValues values) => Values = values;

        public ImportValues Values { get; }

        public string? CustomerCode { get; private init; }

        public string? CustomerExternalId { get; private init; }

        public string? MatchKey { get; private init; }

        public bool MatchesOnPhone { get; private init; }

        public Domain.DecisionRole? DecisionRole { get; private init; }

        public ContactChannel? PreferredChannel { get; private init; }

        public DateOnly? Birthday { get; private init; }

        public bool Changed { get; set; }

        /// <summary>The column naming the customer (code first), or null when the row names none.</summary>
        public string? CustomerColumn => CustomerCode is not null ? ContactImportTarget.CustomerCode : CustomerExternalId is not null ? ContactImportTarget.CustomerExternalId : null;

        public static ContactRow? Parse(ImportRow row, string matchOn, List<ImportRowError> errors)
        {
            var values = new ImportValues(row, errors);
            var phones = matchOn == Phones;
            var key = phones
                ? values.List(Phones).Select(CustomerSearch.NormalizePhone).FirstOrDefault(p => p.Length > 0)
                : values.List(Emails).Select(CustomerSearch.NormalizeEmail).FirstOrDefault();
            var parsed = new ContactRow(values)
            {
                CustomerCode = values.Text(ContactImportTarget.CustomerCode)?.Trim().ToUpperInvariant() is { Length: > 0 } code ? code : null,
                CustomerExternalId = values.Text(ContactImportTarget.CustomerExternalId)?.Trim() is { Length: > 0 } ext ? ext : null,
                MatchKey = string.IsNullOrEmpty(key) ? null : key,
                MatchesOnPhone = phones,
                DecisionRole = values.Enum(ContactImportTarget.DecisionRole, RoleNames),
                PreferredChannel = values.Enum(ContactImportTarget.PreferredChannel, ChannelNames),
                Birthday = values.Date(ContactImportTarget.Birthday),
            };
            return values.Failed ? null : parsed;
        }

        public ImportCustomer? CustomerOf(IReadOnlyList<ImportCustomer> customers) =>
            CustomerCode is { } code ? customers.FirstOrDefault(c => c.Code == code)
            : CustomerExternalId is { } ext ? customers.FirstOrDefault(c => c.ExternalId == ext)
            : null;

        public ContactDetails MergeInto(ContactDetails current)
        {
            var row = Values.Row;
            return new ContactDetails(
                row.Has(Name) ? Values.Text(Name) ?? string.Empty : current.Name,
                row.Has(Title) ? Values.Text(Title) : current.Title,
                row.Has(ContactImportTarget.DecisionRole) ? DecisionRole : current.DecisionRole,
                row.Has(Phones) ? Values.List(Phones) : current.Phones,
                row.Has(Emails) ? Values.List(Emails) : current.Emails,
                row.Has(WeChatId) ? Values.Text(WeChatId) : current.WeChatId,
                row.Has(ContactImportTarget.Birthday) ? Birthday : current.Birthday,
                row.Has(ContactImportTarget.PreferredChannel) ? PreferredChannel : current.PreferredChannel,
                current.Window);
        }
    }

    internal sealed record ImportCustomer(Guid Id, string Code, string? ExternalId, Guid? OwnerId, CustomerStatus Status);
}
