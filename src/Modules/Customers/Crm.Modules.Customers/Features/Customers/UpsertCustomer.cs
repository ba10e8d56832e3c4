using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.CustomFields;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Customers;

/// <summary>
/// The ERP upsert: create or replace the customer with this external id. The body is the full representation of
/// <c>POST /customers</c>; absent fields are cleared on a replace (it is a PUT, not a patch).
/// </summary>
/// <param name="ExternalId">The external id from the path, percent-decoded.</param>
/// <param name="Customer">The full representation; its externalId, when given, must equal the path's.</param>
/// <param name="IfMatch">When present the customer must exist with one of these ETags (412 otherwise).</param>
/// <param name="CreateOnly"><c>If-None-Match: *</c>: only create; 412 when the customer exists.</param>
internal sealed record UpsertCustomerRequest(string ExternalId, CreateCustomerRequest Customer, IfMatch IfMatch, bool CreateOnly) : IRequest<UpsertedCustomer>;

/// <summary>The customer after the upsert, and whether it was created (201) or replaced or left as it was (200).</summary>
internal sealed record UpsertedCustomer(VersionedCustomer Customer, bool Created);

internal sealed class UpsertCustomerValidator : AbstractValidator<UpsertCustomerRequest>
{
    private static readonly CreateCustomerValidator Create = new();

    public UpsertCustomerValidator()
    {
        RuleFor(r => r.ExternalId).Must(ExternalIdPath.IsValid).WithMessage(ExternalIdPath.Rule).OverridePropertyName("externalId");
        RuleFor(r => r.Customer.ExternalId)
            .Must((r, body) => body is null || body == r.ExternalId)
            .WithMessage("externalId in the body must be absent or equal to the externalId in the path.")
            .OverridePropertyName("externalId");
        RuleFor(r => r.Customer).Custom((customer, context) =>
        {
            foreach (var failure in Create.Validate(customer).Errors)
            {
                context.AddFailure(failure.PropertyName, failure.ErrorMessage);
            }
        });
    }
}

internal sealed class UpsertCustomerHandler(CustomersDbContext db, IAccessScopeProvider access, IMediator mediator, RecordInputs inputs, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<UpsertCustomerRequest, UpsertedCustomer>
{
    public async Task<UpsertedCustomer> Handle(UpsertCustomerRequest request, CancellationToken cancellationToken)
    {
        var existing = await db.Customers.SingleOrDefaultAsync(c => c.ExternalId == request.ExternalId, cancellationToken);
        if (existing is null)
        {
            if (request.IfMatch.IsPresent)
            {
                throw new PreconditionFailedException($"No customer has the external id '{request.ExternalId}', so If-Match cannot hold.");
            }

            try
            {
                // The create of POST /customers, with every rule it has (owner checks, uniqueness, CustomerCreated event).
                var created = await mediator.Send(request.Customer with { ExternalId = request.ExternalId }, cancellationToken);
                return new UpsertedCustomer(created, Created: true);
            }
            catch (ConflictException conflict) when (conflict.Type is CustomersProblems.DuplicateExternalIdType or CustomersProblems.DuplicateCustomerType && !request.CreateOnly)
            {
                // A concurrent upsert created it first (its external id is taken, or its name now matches): this one
                // becomes the replace it would have been a moment later. A genuine duplicate of another customer is rethrown.
                db.ChangeTracker.Clear();
                existing = await db.Customers.SingleOrDefaultAsync(c => c.ExternalId == request.ExternalId, cancellationToken);
                if (existing is null)
                {
                    throw;
                }
            }
        }

        return new UpsertedCustomer(await ReplaceAsync(existing, request, cancellationToken), Created: false);
    }

    private async Task<VersionedCustomer> ReplaceAsync(Customer customer, UpsertCustomerRequest request, CancellationToken ct)
    {
        if (request.CreateOnly)
        {
            throw new PreconditionFailedException($"A customer with the external id '{request.ExternalId}' already exists (If-None-Match: *).");
        }

        // As PATCH: a customer the caller cannot see (including a pool customer nobody has claimed) is 404.
        var scope = await access.GetAsync(ct);
        if (!scope.CanSee(customer.OwnerId))
        {
            throw new NotFoundException("Customer", request.ExternalId);
        }

        request.IfMatch.EnsureMatches(customer.Version);
        if (customer.Status == CustomerStatus.Archived)
        {
            throw CustomersProblems.CustomerArchived(customer.Id);
        }

        if (request.Customer.Kind != customer.Kind)
        {
            throw ExternalIdPath.KindCannotChange(customer.Id, customer.Kind);
        }

        // A replace is a full representation: region and custom fields are checked as on create.
        // Status, key-account flags, credit and balance belong to their actions and to payment events, as they do for
        // PATCH: a replace keeps them, so an ERP resending its old view cannot undo a blacklisting or a credit decision.
        var current = customer.Details();
        var replacement = request.Customer.ToDetails() with
        {
            ExternalId = request.ExternalId,
            IsKeyAccount = current.IsKeyAccount,
            IsPotentialKeyAccount = current.IsPotentialKeyAccount,
            CreditLimit = current.CreditLimit,
            CreditRating = current.CreditRating,
            OutstandingBalance = current.OutstandingBalance,
        };
        var details = await inputs.ForNewCustomerAsync(replacement, request.Customer.CustomFields, ct);
        await CustomerWrites.EnsureUniqueAsync(db, details, customer.Id, ct);
        var now = time.UtcNow();
        var stage = customer.LifecycleStage;
        customer.Update(details, now);

        // The same body again changes nothing: no write, no audit entry, the ETag stays. Update always moves
        // updatedAt, so "changed" means any other property the tracker sees modified (lists compare by content).
        var entry = db.Entry(customer);
        entry.DetectChanges();
        if (!entry.Properties.Any(p => p.IsModified && p.Metadata.Name != nameof(Customer.UpdatedAt)))
        {
            entry.CurrentValues.SetValues(entry.OriginalValues);
            entry.State = EntityState.Unchanged;
            return CustomerProjection.Versioned(customer);
        }

        CustomerWrites.RecordStageChange(db, customer, stage, actor.Id, now);
        await CustomerWrites.SaveAsync(db, customer, ct);
        return CustomerProjection.Versioned(customer);
    }
}

/// <summary>A customer by its external id (the ERP's key).</summary>
internal sealed record GetCustomerByExternalIdRequest(string ExternalId) : IRequest<VersionedCustomer>;

internal sealed class GetCustomerByExternalIdValidator : AbstractValidator<GetCustomerByExternalIdRequest>
{
    public GetCustomerByExternalIdValidator() =>
        RuleFor(r => r.ExternalId).Must(ExternalIdPath.IsValid).WithMessage(ExternalIdPath.Rule).OverridePropertyName("externalId");
}

internal sealed class GetCustomerByExternalIdHandler(CustomersDbContext db, IAccessScopeProvider access) : IRequestHandler<GetCustomerByExternalIdRequest, VersionedCustomer>
{
    public async Task<VersionedCustomer> Handle(GetCustomerByExternalIdRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var customer = await db.Customers.AsNoTracking()
            .Where(c => c.ExternalId == request.ExternalId)
            .Where(scope.Filter<Customer>(c => c.OwnerId, includeUnowned: true))
            .SingleOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException("Customer", request.ExternalId);
        return CustomerProjection.Versioned(customer);
    }
}

/// <summary>The external id as a path segment: decoded from the raw request target, and its rules.</summary>
internal static class ExternalIdPath
{
    public const string KindCannotChangeType = ProblemTypes.BaseUri + "kind-cannot-change";

    public const string Rule =
        "externalId must be 1 to 100 characters, without control characters or leading or trailing spaces; percent-encode reserved characters such as / ? # % in the path.";

    private const string Marker = "/by-external-id/";

    /// <summary>
    /// The segment after <c>/by-external-id/</c>, percent-decoded once as UTF-8. Read from the raw target because the
    /// server leaves <c>%2F</c> encoded in the route value while decoding <c>%25</c>, so the route value cannot tell
    /// <c>a/b</c> (sent as <c>a%2Fb</c>) from <c>a%2Fb</c> (sent as <c>a%252Fb</c>). A host without a raw target (the
    /// in-memory test server) gets the route value with its encoded slashes decoded: the common case of the two.
    /// </summary>
    public static string Read(HttpContext http, string routeValue)
    {
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return routeValue.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        }

        var path = raw.Split('?', 2)[0];
        var at = path.LastIndexOf(Marker, StringComparison.OrdinalIgnoreCase);
        return at < 0 ? routeValue : Uri.UnescapeDataString(path[(at + Marker.Length)..]);
    }

    public static bool IsValid(string? externalId) =>
        !string.IsNullOrWhiteSpace(externalId)
        && externalId.Length <= 100
        && externalId.Trim().Length == externalId.Length
        && !externalId.Any(char.IsControl)
        && !externalId.Contains('\uFFFD', StringComparison.Ordinal);

    public static BusinessRuleException KindCannotChange(Guid id, CustomerKind kind) =>
        new(KindCannotChangeType, "Kind cannot change", $"Customer '{id}' is an {(kind == CustomerKind.Organization ? "organization" : "individual")}; the kind is set at creation and cannot be replaced.");
}
