namespace Crm.Modules.Customers.Contracts;

/// <summary>
/// Reads customers for other modules (sales, service, marketing): the few fields they decide on, never the whole
/// record. It answers for the system, not for a user: callers apply their own visibility rules. Merged customers
/// resolve to their survivor, so references held elsewhere keep working after a merge.
/// </summary>
public interface ICustomerDirectory
{
    /// <summary>The customers among <paramref name="ids"/> that exist (at most 1,000 ids per call), keyed by the id asked for.</summary>
    Task<IReadOnlyDictionary<Guid, CustomerSnapshot>> FindAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct);

    /// <summary>
    /// The customer of each live contact among <paramref name="contactIds"/> (at most 1,000 ids per call), keyed by the
    /// contact id. Archived contacts and the contacts of archived (also erased) or merged customers are left out, so an
    /// id without an entry names no contact a record may refer to.
    /// </summary>
    Task<IReadOnlyDictionary<Guid, Guid>> FindContactCustomersAsync(IReadOnlyCollection<Guid> contactIds, CancellationToken ct);

    /// <summary>
    /// The ids of the customers with these codes, or with <paramref name="byExternalId"/> these external ids (at most
    /// 1,000 per call), keyed by the value asked for (codes compared upper-cased). Imports name customers this way.
    /// </summary>
    Task<IReadOnlyDictionary<string, Guid>> FindIdsAsync(IReadOnlyCollection<string> keys, bool byExternalId, CancellationToken ct);
}

/// <summary>What other modules may know of a customer.</summary>
/// <param name="Id">The customer (the survivor's id when the one asked for was merged into it).</param>
/// <param name="Code">Its code (<c>C10000001</c>).</param>
/// <param name="Name">Its name.</param>
/// <param name="OwnerId">Its owner; null while it is in the public pool.</param>
/// <param name="TeamId">The owner's team.</param>
/// <param name="Status">active, churned, blacklisted or archived.</param>
/// <param name="Tier">Its value tier, when classified.</param>
/// <param name="Province">Its province (GB/T 2260 name).</param>
/// <param name="Industry">Its industry.</param>
/// <param name="CreditLimit">Its credit limit; null when none was granted.</param>
/// <param name="OutstandingBalance">What it owes now (arrears).</param>
/// <param name="Currency">The currency of the credit limit and balance.</param>
public sealed record CustomerSnapshot(
    Guid Id,
    string Code,
    string Name,
    Guid? OwnerId,
    Guid? TeamId,
    string Status,
    string? Tier,
    string? Province,
    string? Industry,
    decimal? CreditLimit,
    decimal OutstandingBalance,
    string Currency);
