using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Microsoft.EntityFrameworkCore;
using S = Crm.Modules.Customers.Features.Import.CustomerImportSchema;

namespace Crm.Modules.Customers.Features.Import;

/// <summary>
/// The duplicate check of <c>POST /customers</c> for the rows of a chunk that create customers: a row whose normalized
/// name, phone or email (see <see cref="CustomerMatchKeys"/>) matches an existing customer, or an earlier row of the
/// file, is rejected naming it, unless the row says <c>confirmDuplicate</c>. The existing customers come from one
/// query per chunk over the match-key indexes.
/// </summary>
internal sealed class SimilarCustomers
{
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _phones = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _emails = new(StringComparer.Ordinal);

    public static async Task<SimilarCustomers> FindAsync(CustomersDbContext db, IReadOnlyCollection<CustomerRow> rows, CancellationToken ct)
    {
        var candidates = rows.Where(r => !r.ConfirmDuplicate).ToList();
        var names = candidates.Select(r => r.Values.Text(S.Name)).Where(n => !string.IsNullOrWhiteSpace(n))
            .Select(CustomerMatchKeys.NameKey).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        var phones = candidates.SelectMany(r => r.Values.List(S.Phones)).Select(CustomerMatchKeys.PhoneKey).OfType<string>()
            .Distinct(StringComparer.Ordinal).ToArray();
        var emails = candidates.SelectMany(r => r.Values.List(S.Emails)).Select(CustomerMatchKeys.EmailKey).OfType<string>()
            .Distinct(StringComparer.Ordinal).ToArray();
        var similar = new SimilarCustomers();
        if (names.Length + phones.Length + emails.Length == 0)
        {
            return similar;
        }

        // One query per key, each on its own index: OR-ed over thousands of keys a chunk's arrays would make the planner
        // give up the indexes for a scan that compares every row with every key.
        var live = db.Customers.AsNoTracking().Where(c => c.Status != CustomerStatus.Archived && c.Status != CustomerStatus.Merged);
        var found = await live.Where(c => names.Contains(c.NameKey)).Select(c => new { c.Code, c.NameKey, c.PhoneKeys, c.Emails })
            .Concat(live.Where(c => c.PhoneKeys.Any(p => phones.Contains(p))).Select(c => new { c.Code, c.NameKey, c.PhoneKeys, c.Emails }))
            .Concat(live.Where(c => c.Emails.Any(e => emails.Contains(e))).Select(c => new { c.Code, c.NameKey, c.PhoneKeys, c.Emails }))
            .ToListAsync(ct);
        foreach (var customer in found)
        {
            similar._names.TryAdd(customer.NameKey, customer.Code);
            customer.PhoneKeys.ForEach(p => similar._phones.TryAdd(p, customer.Code));
            customer.Emails.ForEach(e => similar._emails.TryAdd(e, customer.Code));
        }

        return similar;
    }

    /// <summary>Whether the row may create <paramref name="customer"/>; otherwise the row gets an error naming the match.</summary>
    public bool Allows(CustomerRow row, Customer customer, Integration.Contracts.IImportKeyRegistry file)
    {
        if (row.ConfirmDuplicate)
        {
            return true;
        }

        var keys = new List<(string Column, string What, string Key, Dictionary<string, string> Existing)>();
        if (customer.NameKey.Length > 0)
        {
            keys.Add((S.Name, "name", customer.NameKey, _names));
        }

        keys.AddRange(customer.PhoneKeys.Select(p => (S.Phones, "phone", p, _phones)));
        keys.AddRange(customer.Emails.Select(e => (S.Emails, "email", e, _emails)));
        foreach (var (column, what, key, existing) in keys)
        {
            if (existing.TryGetValue(key, out var code))
            {
                row.Values.Error(column, $"Possible duplicate of customer {code} (same {what}); merge them, or set confirmDuplicate to true in this row to import it anyway.");
            }
            else if (!file.TryClaim($"similar:{what}:{key}", row.Values.Row.Row, out var first))
            {
                row.Values.Error(column, $"Possible duplicate of row {first} in this file (same {what}); set confirmDuplicate to true in this row to import both.");
            }
        }

        return !row.Values.Failed;
    }
}
