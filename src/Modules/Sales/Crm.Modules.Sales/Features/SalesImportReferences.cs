using Crm.Modules.Customers.Contracts;
using Crm.Modules.Identity.Contracts;

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

    /// <summary>
    /// The user a row names as owner by <paramref name="email"/> when the caller may hand work to them (the caller or a user
    /// in the caller's team subtree); otherwise null and <paramref name="problem"/> says why.
    /// </summary>
    public static UserSummary? AssignableOwner(string email, AccessScope scope, IReadOnlyDictionary<string, UserSummary> owners, out string? problem)
    {
        problem = !owners.TryGetValue(email, out var owner) || !owner.Active ? $"No active user has the email '{email}'."
            : owner.Id != scope.UserId && !scope.CanSee(owner.Id) ? $"You may not make {email} the owner: only users in your team subtree."
            : null;
        return problem is null ? owner : null;
    }

    /// <summary>The customers and owners of an export batch, for their codes and emails: one query each.</summary>
    public static async Task<ExportNames> ExportNamesAsync(
        ICustomerDirectory customers, IUserDirectory users, IReadOnlyCollection<Guid> customerIds, IEnumerable<Guid?> ownerIds, CancellationToken ct)
    {
        var customerList = customerIds.Distinct().ToList();
        var found = customerList.Count == 0 ? new Dictionary<Guid, CustomerSnapshot>() : await customers.FindAsync(customerList, ct);
        var ownerList = ownerIds.OfType<Guid>().Distinct().ToList();
        var owners = ownerList.Count == 0 ? new Dictionary<Guid, UserSummary>() : await users.FindByIdsAsync(ownerList, ct);
        return new ExportNames(found, owners);
    }
}

/// <summary>An export batch's customer codes and owner emails (null for one no longer found).</summary>
internal sealed record ExportNames(IReadOnlyDictionary<Guid, CustomerSnapshot> Customers, IReadOnlyDictionary<Guid, UserSummary> Owners)
{
    public string? CodeOf(Guid customerId) => Customers.TryGetValue(customerId, out var customer) ? customer.Code : null;

    public string? EmailOf(Guid? ownerId) => ownerId is { } owner && Owners.TryGetValue(owner, out var user) ? user.Email : null;
}
