using System.Text.Json;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Directory;

/// <summary>
/// <see cref="ICustomerDirectory"/> over the archive: one indexed query per hop of merge redirects (a merged
/// customer's survivor may itself have been merged later), so at most a handful of round trips per call.
/// </summary>
internal sealed class CustomerDirectory(CustomersDbContext db) : ICustomerDirectory
{
    public const int MaxIds = 1000;
    private const int MaxMergeHops = 5;

    public async Task<IReadOnlyDictionary<Guid, CustomerSnapshot>> FindAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ids.Count, MaxIds);
        var found = new Dictionary<Guid, CustomerSnapshot>();

        // Each id asked for, and the record it currently resolves to.
        var pending = ids.Distinct().ToDictionary(id => id, id => id);
        for (var hop = 0; hop < MaxMergeHops && pending.Count > 0; hop++)
        {
            var lookup = pending.Values.Distinct().ToList();
            var rows = await db.Customers.AsNoTracking()
                .Where(c => lookup.Contains(c.Id))
                .Select(c => new
                {
                    c.Id, c.Code, c.Name, c.OwnerId, c.TeamId, c.Status, c.Tier, c.Province, c.Industry,
                    c.CreditLimit, c.OutstandingBalance, c.Currency, c.MergedIntoId,
                })
                .ToDictionaryAsync(c => c.Id, ct);

            var next = new Dictionary<Guid, Guid>();
            foreach (var (asked, current) in pending)
            {
                if (!rows.TryGetValue(current, out var row))
                {
                    continue;
                }

                if (row is { Status: CustomerStatus.Merged, MergedIntoId: { } survivor })
                {
                    next[asked] = survivor;
                    continue;
                }

                found[asked] = new CustomerSnapshot(
                    row.Id, row.Code, row.Name, row.OwnerId, row.TeamId, JsonNamingPolicy.CamelCase.ConvertName(row.Status.ToString()),
                    row.Tier, row.Province, row.Industry, row.CreditLimit, row.OutstandingBalance, row.Currency);
            }

            pending = next;
        }

        return found;
    }

    public async Task<IReadOnlyDictionary<Guid, Guid>> FindContactCustomersAsync(IReadOnlyCollection<Guid> contactIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(contactIds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(contactIds.Count, MaxIds);
        var ids = contactIds.Distinct().ToList();

        // One query: the contacts by primary key, joined to their customers. Erasing archives the customer and its
        // contacts; a merge hands the loser's contacts to the survivor, so the merged record is never their customer.
        return await (
                from contact in db.Contacts.AsNoTracking()
                join customer in db.Customers.AsNoTracking() on contact.CustomerId equals customer.Id
                where ids.Contains(contact.Id) && !contact.IsArchived
                    && customer.Status != CustomerStatus.Archived && customer.Status != CustomerStatus.Merged
                select new { contact.Id, contact.CustomerId })
            .ToDictionaryAsync(c => c.Id, c => c.CustomerId, ct);
    }

    public async Task<IReadOnlyDictionary<string, Guid>> FindIdsAsync(IReadOnlyCollection<string> keys, bool byExternalId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keys.Count, MaxIds);
        if (byExternalId)
        {
            var externalIds = keys.Select(k => k.Trim()).Distinct(StringComparer.Ordinal).ToList();
            return await db.Customers.AsNoTracking().Where(c => c.ExternalId != null && externalIds.Contains(c.ExternalId))
                .ToDictionaryAsync(c => c.ExternalId!, c => c.Id, StringComparer.Ordinal, ct);
        }

        var codes = keys.Select(k => k.Trim().ToUpperInvariant()).Distinct(StringComparer.Ordinal).ToList();
        return await db.Customers.AsNoTracking().Where(c => codes.Contains(c.Code))
            .ToDictionaryAsync(c => c.Code, c => c.Id, StringComparer.OrdinalIgnoreCase, ct);
    }
}
