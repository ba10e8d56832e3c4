using Crm.Modules.Customers.Contracts;

namespace Crm.Modules.Sales.Features;

/// <summary>References the sales import targets resolve by natural key, a set query per batch of keys.</summary>
internal static class SalesImportReferences
{
    private const int LookupBatch = 1000;

    /// <summary>The customers the keys name (by code, case-insensitively, or by external id), keyed by the key as written.</summary>
    public static async Task<Dictionary<string, CustomerSnapshot>> CustomersAsync(
        ICustomerDirectory customers, IEnumerable<string?> keys, bool byExternalId, CancellationToken ct)
    {
        var found = new Dictionary<string, CustomerSnapshot>(byExternalId ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
        foreach (var batch in keys.OfType<string>().Distinct(found.Comparer).Chunk(LookupBatch))
        {
            var ids = await customers.FindIdsAsync(batch, byExternalId, ct);
            var snapshots = await customers.FindAsync(ids.Values.Distinct().ToList(), ct);
            foreach (var (key, id) in ids)
            {
                if (snapshots.TryGetValue(id, out var snapshot))
                {
                    found[key] = snapshot;
                }
            }
        }

        return found;
    }
}
