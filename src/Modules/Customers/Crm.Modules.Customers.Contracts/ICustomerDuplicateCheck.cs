namespace Crm.Modules.Customers.Contracts;

/// <summary>
/// Finds existing customers that may be the same party as a new or changed record, for creates, imports and lead
/// conversion. It answers for the system, not for a user: visibility is the caller's business (the HTTP endpoints
/// reveal only id, code, name and owner of customers the user cannot see).
/// </summary>
public interface ICustomerDuplicateCheck
{
    /// <summary>
    /// Active (not archived, not merged) customers sharing at least one key, at most <paramref name="limit"/>
    /// (1 to 100), the ones matching more keys first.
    /// </summary>
    Task<IReadOnlyList<CustomerDuplicateCandidate>> FindAsync(CustomerDuplicateKeys keys, int limit, CancellationToken ct);
}

/// <summary>What to look for. Raw values: they are normalized with <see cref="CustomerMatchKeys"/>.</summary>
/// <param name="Name">A customer name (matched on its <see cref="CustomerMatchKeys.NameKey"/>).</param>
/// <param name="Phones">Phone numbers (matched on their <see cref="CustomerMatchKeys.PhoneKey"/>).</param>
/// <param name="Emails">Email addresses (case-insensitive).</param>
/// <param name="RegistrationNumber">Unified social credit code or resident ID number.</param>
/// <param name="ExceptCustomerId">A customer to leave out (the one being updated).</param>
public sealed record CustomerDuplicateKeys(
    string? Name = null,
    IReadOnlyList<string>? Phones = null,
    IReadOnlyList<string>? Emails = null,
    string? RegistrationNumber = null,
    Guid? ExceptCustomerId = null);

/// <summary>A customer that shares keys with the record checked.</summary>
/// <param name="Id">The customer.</param>
/// <param name="Code">Its code.</param>
/// <param name="Name">Its name.</param>
/// <param name="OwnerId">Its owner (null: in the public pool).</param>
/// <param name="MatchedOn">The keys that matched: <c>name</c>, <c>phone</c>, <c>email</c>, <c>registrationNumber</c>.</param>
public sealed record CustomerDuplicateCandidate(Guid Id, string Code, string Name, Guid? OwnerId, IReadOnlyList<string> MatchedOn);
