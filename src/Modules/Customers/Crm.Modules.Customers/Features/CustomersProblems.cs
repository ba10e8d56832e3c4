using Crm.SharedKernel.Errors;

namespace Crm.Modules.Customers.Features;

/// <summary>Problems specific to the customer archive, with stable types (listed in docs/modules/customers.md).</summary>
internal static class CustomersProblems
{
    public const string DuplicateRegistrationNumberType = ProblemTypes.BaseUri + "duplicate-registration-number";
    public const string DuplicateExternalIdType = ProblemTypes.BaseUri + "duplicate-external-id";
    public const string UnknownOwnerType = ProblemTypes.BaseUri + "unknown-owner";
    public const string CustomerArchivedType = ProblemTypes.BaseUri + "customer-archived";
    public const string ContactArchivedType = ProblemTypes.BaseUri + "contact-archived";
    public const string OptOutSticksType = ProblemTypes.BaseUri + "opt-out-sticks";
    public const string UnknownContactType = ProblemTypes.BaseUri + "unknown-contact";
    public const string AlreadyOwnedType = ProblemTypes.BaseUri + "already-owned";
    public const string ClaimLimitReachedType = ProblemTypes.BaseUri + "claim-limit-reached";
    public const string AlreadyBlacklistedType = ProblemTypes.BaseUri + "already-blacklisted";
    public const string NotBlacklistedType = ProblemTypes.BaseUri + "not-blacklisted";
    public const string AlreadyChurnedType = ProblemTypes.BaseUri + "already-churned";
    public const string NotChurnedType = ProblemTypes.BaseUri + "not-churned";
    public const string CustomerBlacklistedType = ProblemTypes.BaseUri + "customer-blacklisted";
    public const string CustomerNotActiveType = ProblemTypes.BaseUri + "customer-not-active";
    public const string UnsupportedCurrencyType = ProblemTypes.BaseUri + "unsupported-currency";

    /// <summary>Balances are kept in the customer's currency only (CNY); there are no exchange rates.</summary>
    public static BusinessRuleException UnsupportedCurrency(string currency, string customerCurrency) =>
        new(UnsupportedCurrencyType, "Unsupported currency", $"The balance is kept in {customerCurrency}; an adjustment in '{currency}' cannot be applied (there are no exchange rates).");

    public static ConflictException AlreadyBlacklisted(Guid id) =>
        new(AlreadyBlacklistedType, "Customer already blacklisted", $"Customer '{id}' is already on the blacklist.");

    public static ConflictException NotBlacklisted(Guid id) =>
        new(NotBlacklistedType, "Customer not blacklisted", $"Customer '{id}' is not on the blacklist.");

    public static ConflictException AlreadyChurned(Guid id) =>
        new(AlreadyChurnedType, "Customer already churned", $"Customer '{id}' is already marked churned.");

    public static ConflictException NotChurned(Guid id) =>
        new(NotChurnedType, "Customer not churned", $"Customer '{id}' is not churned; only churned customers are reactivated.");

    public static ConflictException CustomerBlacklisted(Guid id, string consequence) =>
        new(CustomerBlacklistedType, "Customer blacklisted", $"Customer '{id}' is blacklisted and {consequence}.");

    public static ConflictException CustomerNotActive(Guid id, Domain.CustomerStatus status, string consequence) =>
        new(CustomerNotActiveType, "Customer not active", $"Customer '{id}' is {status.ToString().ToLowerInvariant()} and {consequence}.");

    public const string DuplicateCustomerType = ProblemTypes.BaseUri + "duplicate-customer";
    public const string CustomerMergedType = ProblemTypes.BaseUri + "customer-merged";
    public const string MergeIntoItselfType = ProblemTypes.BaseUri + "merge-into-itself";
    public const string MergeTooManyValuesType = ProblemTypes.BaseUri + "merge-too-many-values";

    /// <summary>Other customers look like the same party; the caller repeats the request with <c>confirmDuplicate: true</c> to go ahead.</summary>
    public static ConflictException DuplicateCustomer(IReadOnlyList<Duplicates.DuplicateCandidateResponse> candidates)
    {
        var problem = new ConflictException(
            DuplicateCustomerType,
            "Possible duplicate customer",
            $"{candidates.Count} existing customer(s) share a name, phone, email or registration number with this one; see candidates. Merge them, or repeat the request with \"confirmDuplicate\": true to keep both.");
        problem.Extensions["candidates"] = candidates;
        return problem;
    }

    /// <summary>A merged customer only redirects to its survivor: it can no longer be changed.</summary>
    public static CustomerMergedException CustomerMerged(Guid loserId, Guid survivorId) => new(loserId, survivorId);

    public static BusinessRuleException MergeIntoItself(Guid id) =>
        new(MergeIntoItselfType, "Cannot merge a customer into itself", $"loserId '{id}' is the survivor itself; name another customer.");

    public static BusinessRuleException MergeTooManyValues(string field, int count, int max) =>
        new(MergeTooManyValuesType, "Merged customer would exceed a limit", $"Together the two customers have {count} {field}, more than the {max} a customer may have; remove some from one of them first.");

    /// <summary>Only pool customers (without owner) can be claimed or assigned; someone else got there first.</summary>
    public static ConflictException AlreadyOwned(Guid id) =>
        new(AlreadyOwnedType, "Customer already owned", $"Customer '{id}' is not in the public pool: it already has an owner.");

    public static ConflictException ClaimLimitReached(int limit, string? tier) =>
        new(ClaimLimitReachedType, "Claim limit reached", $"You already own {limit} customers of tier '{tier ?? "(none)"}', the most the pool rules allow; release one first.");

    /// <summary>An archived customer is read-only: its history stays as it was when it was archived.</summary>
    public static ConflictException CustomerArchived(Guid id) =>
        new(CustomerArchivedType, "Customer archived", $"Customer '{id}' is archived and can no longer be changed.");

    /// <summary>An archived contact is read-only, except for consent changes.</summary>
    public static ConflictException ContactArchived(Guid id) =>
        new(ContactArchivedType, "Contact archived", $"Contact '{id}' is archived and can no longer be changed (its consents still can).");

    public static BusinessRuleException OptOutSticks(Guid contactId, Domain.ContactChannel channel) =>
        new(OptOutSticksType, "Opt-out sticks", $"Contact '{contactId}' opted out of '{channel}'. Only an explicit grant from the contact lifts an opt-out; it cannot be reset to unknown.");

    public static BusinessRuleException UnknownContact(Guid contactId, Guid customerId) =>
        new(UnknownContactType, "Unknown contact", $"Contact '{contactId}' is not a contact of customer '{customerId}'.");

    public static ConflictException DuplicateRegistrationNumber(string number) =>
        new(DuplicateRegistrationNumberType, "Registration number already in use", $"Another customer already has the registration number '{number}'.");

    public static ConflictException DuplicateExternalId(string externalId) =>
        new(DuplicateExternalIdType, "External id already in use", $"Another customer already has the external id '{externalId}'.");

    public static BusinessRuleException UnknownOwner(Guid ownerId) =>
        new(UnknownOwnerType, "Unknown owner", $"User '{ownerId}' does not exist or is deactivated, so cannot own customers.");

    public static ProblemException CannotAssignOwner() =>
        new(403, ProblemTypes.Forbidden, "Forbidden", "Only managers (for their team and its sub-teams) and administrators may make someone else the owner of a customer.");
}

/// <summary>409 <c>customer-merged</c> naming the survivor; reads of the merged customer turn it into a 308 redirect.</summary>
internal sealed class CustomerMergedException : ProblemException
{
    public CustomerMergedException(Guid loserId, Guid survivorId)
        : base(409, CustomersProblems.CustomerMergedType, "Customer merged", $"Customer '{loserId}' was merged into customer '{survivorId}'; use that one instead.")
    {
        LoserId = loserId;
        SurvivorId = survivorId;
        Extensions["survivorId"] = survivorId;
    }

    public Guid LoserId { get; }

    public Guid SurvivorId { get; }
}
