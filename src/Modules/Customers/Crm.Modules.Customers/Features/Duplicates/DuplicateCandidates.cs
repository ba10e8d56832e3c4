using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Identity.Contracts;

namespace Crm.Modules.Customers.Features.Duplicates;

/// <summary>
/// An existing customer that may be the same party. Customers the caller cannot see are listed too (so nobody
/// creates a second record of a customer a colleague owns) but reveal only these fields; <c>visible</c> says
/// whether the caller may open it.
/// </summary>
/// <param name="Id">The customer.</param>
/// <param name="Code">Its code.</param>
/// <param name="Name">Its name.</param>
/// <param name="OwnerId">Its owner, to ask for a transfer or a merge (null: in the public pool).</param>
/// <param name="MatchedOn">The keys that matched: name, phone, email, registrationNumber.</param>
/// <param name="Visible">Whether the caller may read this customer (GET /api/v1/customers/{id}).</param>
internal sealed record DuplicateCandidateResponse(Guid Id, string Code, string Name, Guid? OwnerId, IReadOnlyList<string> MatchedOn, bool Visible)
{
    public static DuplicateCandidateResponse From(CustomerDuplicateCandidate candidate, AccessScope scope) =>
        new(candidate.Id, candidate.Code, candidate.Name, candidate.OwnerId, candidate.MatchedOn, scope.CanSee(candidate.OwnerId, includeUnowned: true));
}

/// <summary>Refuses creates and updates that look like an existing customer unless the caller confirmed them.</summary>
internal sealed class DuplicateGuard(ICustomerDuplicateCheck check, IAccessScopeProvider access)
{
    /// <summary>How many candidates a 409 or the check endpoint lists at most.</summary>
    public const int CandidateLimit = 20;

    public async Task<IReadOnlyList<DuplicateCandidateResponse>> FindAsync(CustomerDuplicateKeys keys, CancellationToken ct)
    {
        var candidates = await check.FindAsync(keys, CandidateLimit, ct);
        if (candidates.Count == 0)
        {
            return [];
        }

        var scope = await access.GetAsync(ct);
        return candidates.Select(c => DuplicateCandidateResponse.From(c, scope)).ToList();
    }

    /// <summary>409 duplicate-customer with the candidates, unless <paramref name="confirmed"/> or there are none.</summary>
    public async Task EnsureNoneAsync(CustomerDuplicateKeys keys, bool confirmed, CancellationToken ct)
    {
        if (confirmed)
        {
            return;
        }

        var candidates = await FindAsync(keys, ct);
        if (candidates.Count > 0)
        {
            throw CustomersProblems.DuplicateCustomer(candidates);
        }
    }
}

/// <summary>Which keys a create or update brings in.</summary>
internal static class DuplicateKeys
{
    public static CustomerDuplicateKeys Of(CustomerDetails details) =>
        new(details.Name, details.Phones, details.Emails, details.RegistrationNumber);

    /// <summary>
    /// Only the keys an update changes or adds (a new name key, phones and emails the customer did not have, another
    /// registration number), so editing an unrelated field of a customer kept despite a duplicate does not ask again.
    /// Null when no key changes.
    /// </summary>
    public static CustomerDuplicateKeys? Changed(Customer current, CustomerDetails next)
    {
        var name = CustomerMatchKeys.NameKey(next.Name) != current.NameKey ? next.Name : null;
        var phones = next.Phones.Where(p => CustomerMatchKeys.PhoneKey(p) is { } key && !current.PhoneKeys.Contains(key)).ToList();
        var emails = next.Emails.Where(e => CustomerMatchKeys.EmailKey(e) is { } key && !current.Emails.Contains(key)).ToList();
        var number = CustomerMatchKeys.RegistrationNumberKey(next.RegistrationNumber) is { } n && n != current.RegistrationNumber ? n : null;
        return name is null && phones.Count == 0 && emails.Count == 0 && number is null
            ? null
            : new CustomerDuplicateKeys(name, phones, emails, number, current.Id);
    }
}
