using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.CustomFields;
using Crm.Modules.Customers.Features.Duplicates;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Time;
using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using MediatR;

namespace Crm.Modules.Customers.Features.Customers;

/// <summary>Add a customer to the archive. The code is generated; the owner is the caller unless <c>ownerId</c> says otherwise.</summary>
/// <param name="Kind">organization or individual (required).</param>
/// <param name="Name">Full name (required).</param>
/// <param name="ShortName">Short name (简称).</param>
/// <param name="ExternalId">ERP id; unique.</param>
/// <param name="RegistrationNumber">Unified social credit code (organization) or resident ID number (individual), checksum-validated; unique.</param>
/// <param name="Industry">Industry.</param>
/// <param name="SourceChannel">Source channel.</param>
/// <param name="Province">Province.</param>
/// <param name="City">City.</param>
/// <param name="District">District or county.</param>
/// <param name="Address">Street address.</param>
/// <param name="Phones">Phone numbers (stored as digits, a leading + kept).</param>
/// <param name="Emails">Email addresses (stored lower-case).</param>
/// <param name="Website">Website.</param>
/// <param name="Tags">Tags.</param>
/// <param name="Tier">Value tier / category.</param>
/// <param name="RelationshipType">Relationship type (default basic).</param>
/// <param name="LifecycleStage">Lifecycle stage (default potential).</param>
/// <param name="IsKeyAccount">Key account (default false).</param>
/// <param name="IsPotentialKeyAccount">Potential key account (default false).</param>
/// <param name="CreditLimit">Credit limit in CNY.</param>
/// <param name="CreditRating">Credit rating.</param>
/// <param name="OutstandingBalance">Not settable (400): the balance starts at 0 and moves only through payment events and POST /api/v1/customers/{id}/balance-adjustments.</param>
/// <param name="OwnerId">Owner; defaults to the caller. Managers may name anyone in their team subtree, administrators anyone.</param>
/// <param name="CustomFields">Values of the custom fields (GET /api/v1/custom-fields/customers), keyed by field key; every active required field must be given.</param>
/// <param name="ConfirmDuplicate">Create it even though existing customers share its name, phone, email or registration number (the 409 duplicate-customer listed them). Not stored.</param>
internal sealed record CreateCustomerRequest(
    CustomerKind? Kind,
    string Name,
    string? ShortName = null,
    string? ExternalId = null,
    string? RegistrationNumber = null,
    string? Industry = null,
    string? SourceChannel = null,
    string? Province = null,
    string? City = null,
    string? District = null,
    string? Address = null,
    IReadOnlyList<string>? Phones = null,
    IReadOnlyList<string>? Emails = null,
    string? Website = null,
    IReadOnlyList<string>? Tags = null,
    string? Tier = null,
    RelationshipType? RelationshipType = null,
    LifecycleStage? LifecycleStage = null,
    bool? IsKeyAccount = null,
    bool? IsPotentialKeyAccount = null,
    decimal? CreditLimit = null,
    string? CreditRating = null,
    Optional<JsonElement> OutstandingBalance = default,
    Guid? OwnerId = null,
    IReadOnlyDictionary<string, JsonElement>? CustomFields = null,
    bool? ConfirmDuplicate = null) : IRequest<VersionedCustomer>
{
    /// <summary>Set only by <see cref="Registration.CustomerRegistration"/>: the id another module chose; never from the body.</summary>
    [JsonIgnore]
    public Guid? Id { get; init; }

    public CustomerDetails ToDetails() => new(
        Name ?? string.Empty, ShortName, ExternalId, RegistrationNumber, Industry, SourceChannel, Province, City, District, Address,
        Phones ?? [], Emails ?? [], Website, Tags ?? [], Tier, RelationshipType ?? Domain.RelationshipType.Basic,
        LifecycleStage ?? Domain.LifecycleStage.Potential, IsKeyAccount ?? false, IsPotentialKeyAccount ?? false,
        CreditLimit, CreditRating, 0.00m);
}

internal sealed class CreateCustomerValidator : AbstractValidator<CreateCustomerRequest>
{
    private static readonly CustomerDetailsValidator Details = new();

    public CreateCustomerValidator()
    {
        RuleFor(r => r.Kind).NotNull().WithMessage("kind is required: organization or individual.");
        RuleFor(r => r.OutstandingBalance).Must(value => !value.HasValue).WithMessage(BalanceIsReadOnly.Message).OverridePropertyName(BalanceIsReadOnly.Field);
        RuleFor(r => r.ToDetails()).Custom((details, context) =>
        {
            foreach (var failure in Details.Validate(new CustomerState(context.InstanceToValidate.Kind, details)).Errors)
            {
                context.AddFailure(failure.PropertyName, failure.ErrorMessage);
            }
        });
    }
}

internal sealed class CreateCustomerHandler(CustomersDbContext db, IAccessScopeProvider access, IUserDirectory users, RecordInputs inputs, DuplicateGuard duplicates, TimeProvider time)
    : IRequestHandler<CreateCustomerRequest, VersionedCustomer>
{
    public async Task<VersionedCustomer> Handle(CreateCustomerRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var ownerId = request.OwnerId ?? scope.UserId
            ?? throw ValidationFailedException.For("ownerId", "ownerId is required when the caller is not a user (an API key).");
        if (ownerId != scope.UserId && !scope.CanSee(ownerId))
        {
            throw CustomersProblems.CannotAssignOwner();
        }

        var owner = await users.FindByIdAsync(ownerId, cancellationToken);
        if (owner is not { Active: true })
        {
            throw CustomersProblems.UnknownOwner(ownerId);
        }

        var details = await inputs.ForNewCustomerAsync(request.ToDetails(), request.CustomFields, cancellationToken);
        await CustomerWrites.EnsureUniqueAsync(db, details, null, cancellationToken);
        // A registration with a caller-chosen id never counts the customer it is about to create (a concurrent twin) as a duplicate.
        await duplicates.EnsureNoneAsync(DuplicateKeys.Of(details) with { ExceptCustomerId = request.Id }, request.ConfirmDuplicate ?? false, cancellationToken);
        var now = time.UtcNow();
        var customer = Customer.Create(request.Kind!.Value, details, owner.Id, owner.TeamId, now, request.Id);

        // The event carries the code, which the insert generates: insert, then write the event, in one
        // transaction so neither commits without the other. (Npgsql sends BEGIN with the first statement.)
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Customers.Add(customer);
        await CustomerWrites.SaveAsync(db, customer, cancellationToken);
        db.AddIntegrationEvent(CustomerWrites.CreatedEvent(customer, now));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return CustomerProjection.Versioned(customer);
    }
}
