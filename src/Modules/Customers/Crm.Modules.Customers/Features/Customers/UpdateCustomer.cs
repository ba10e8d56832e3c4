using System.Text.Json;
using System.Text.Json.Serialization;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.CustomFields;
using Crm.Modules.Customers.Features.Duplicates;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using MediatR;

namespace Crm.Modules.Customers.Features.Customers;

/// <summary>
/// A JSON merge patch of a customer: absent members stay, <c>null</c> clears (lists become empty, flags and
/// amounts cannot be null). Kind, code and owner are not patchable; status, the key-account flags, credit limit and
/// rating and the outstanding balance belong to their actions (or to payment events) and answer 400 naming the action.
/// A lifecycle stage change is kept in the customer's history.
/// </summary>
/// <param name="Name">Full name.</param>
/// <param name="ShortName">Short name.</param>
/// <param name="ExternalId">ERP id; unique.</param>
/// <param name="RegistrationNumber">Unified social credit code or resident ID number; unique.</param>
/// <param name="Industry">Industry.</param>
/// <param name="SourceChannel">Source channel.</param>
/// <param name="Province">Province.</param>
/// <param name="City">City.</param>
/// <param name="District">District or county.</param>
/// <param name="Address">Street address.</param>
/// <param name="Phones">The complete new list of phones.</param>
/// <param name="Emails">The complete new list of emails.</param>
/// <param name="Website">Website.</param>
/// <param name="Tags">The complete new list of tags.</param>
/// <param name="Tier">Value tier / category.</param>
/// <param name="RelationshipType">Relationship type.</param>
/// <param name="LifecycleStage">Lifecycle stage.</param>
/// <param name="IsKeyAccount">Not patchable (400): use POST /api/v1/customers/{id}/key-account.</param>
/// <param name="IsPotentialKeyAccount">Not patchable (400): use POST /api/v1/customers/{id}/key-account.</param>
/// <param name="CreditLimit">Not patchable (400): use POST /api/v1/customers/{id}/credit-limit.</param>
/// <param name="CreditRating">Not patchable (400): use POST /api/v1/customers/{id}/credit-limit.</param>
/// <param name="OutstandingBalance">Not patchable (400): maintained from payment events and POST /api/v1/customers/{id}/balance-adjustments.</param>
/// <param name="Status">Not patchable (400): use the blacklist, unblacklist, churn and reactivate actions, or DELETE to archive.</param>
/// <param name="CustomFields">A merge patch of the custom field values: a value sets the key, null removes it, absent keys stay; null removes them all.</param>
internal sealed record UpdateCustomerRequest(
    Optional<string> Name,
    Optional<string?> ShortName,
    Optional<string?> ExternalId,
    Optional<string?> RegistrationNumber,
    Optional<string?> Industry,
    Optional<string?> SourceChannel,
    Optional<string?> Province,
    Optional<string?> City,
    Optional<string?> District,
    Optional<string?> Address,
    Optional<IReadOnlyList<string>?> Phones,
    Optional<IReadOnlyList<string>?> Emails,
    Optional<string?> Website,
    Optional<IReadOnlyList<string>?> Tags,
    Optional<string?> Tier,
    Optional<Domain.RelationshipType> RelationshipType,
    Optional<Domain.LifecycleStage> LifecycleStage,
    Optional<JsonElement> IsKeyAccount,
    Optional<JsonElement> IsPotentialKeyAccount,
    Optional<JsonElement> CreditLimit,
    Optional<JsonElement> CreditRating,
    Optional<JsonElement> OutstandingBalance,
    Optional<JsonElement> Status,
    Optional<IReadOnlyDictionary<string, JsonElement>?> CustomFields) : IRequest<VersionedCustomer>
{
    /// <summary>Apply it even though the changed name, phones, emails or registration number match existing customers (the 409 duplicate-customer listed them). Not stored.</summary>
    public bool? ConfirmDuplicate { get; init; }

    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;

    public Domain.CustomerDetails MergeInto(Domain.CustomerDetails current) => new(
        Name.Or(current.Name) ?? string.Empty,
        ShortName.Or(current.ShortName),
        ExternalId.Or(current.ExternalId),
        RegistrationNumber.Or(current.RegistrationNumber),
        Industry.Or(current.Industry),
        SourceChannel.Or(current.SourceChannel),
        Province.Or(current.Province),
        City.Or(current.City),
        District.Or(current.District),
        Address.Or(current.Address),
        Phones.Or(current.Phones) ?? [],
        Emails.Or(current.Emails) ?? [],
        Website.Or(current.Website),
        Tags.Or(current.Tags) ?? [],
        Tier.Or(current.Tier),
        RelationshipType.Or(current.RelationshipType),
        LifecycleStage.Or(current.LifecycleStage),
        current.IsKeyAccount,
        current.IsPotentialKeyAccount,
        current.CreditLimit,
        current.CreditRating,
        current.OutstandingBalance)
    {
        RegionCode = current.RegionCode,
        CustomFields = current.CustomFields,
    };

    /// <summary>Whether the patch names any part of the region, which is then checked again as a whole.</summary>
    [JsonIgnore]
    public bool ChangesRegion => Province.HasValue || City.HasValue || District.HasValue;
}

internal sealed class UpdateCustomerHandler(
    CustomersDbContext db, IAccessScopeProvider access, CustomerDetailsValidator validator, RecordInputs inputs, DuplicateGuard duplicates, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<UpdateCustomerRequest, VersionedCustomer>
{
    public async Task<VersionedCustomer> Handle(UpdateCustomerRequest request, CancellationToken cancellationToken)
    {
        var customer = await CustomerAccess.FindVisibleAsync(db.Customers, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(customer.Version);
        if (customer.Status == CustomerStatus.Archived)
        {
            throw CustomersProblems.CustomerArchived(customer.Id);
        }

        // Validated as a whole after merging: the identifier rule depends on the kind, and a patch may only touch part.
        var details = request.MergeInto(customer.Details());
        await validator.EnsureValidAsync(new CustomerState(customer.Kind, details), cancellationToken);
        details = await inputs.ForChangedCustomerAsync(details, request.ChangesRegion, request.CustomFields, cancellationToken);
        await CustomerWrites.EnsureUniqueAsync(db, details, customer.Id, cancellationToken);
        if (DuplicateKeys.Changed(customer, details) is { } changed)
        {
            await duplicates.EnsureNoneAsync(changed, request.ConfirmDuplicate ?? false, cancellationToken);
        }

        var now = time.UtcNow();
        var stage = customer.LifecycleStage;
        customer.Update(details, now);
        CustomerWrites.RecordStageChange(db, customer, stage, actor.Id, now);

        await CustomerWrites.SaveAsync(db, customer, cancellationToken);
        return CustomerProjection.Versioned(customer);
    }
}
