using System.Text.Json.Serialization;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.ExchangeRates;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Contracts;

/// <summary>A sales contract (合同).</summary>
/// <param name="Id">Contract id.</param>
/// <param name="Number">Its generated unique number (HT10000001).</param>
/// <param name="ExternalId">The ERP's id of the contract, unique when present.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="Title">What it is for.</param>
/// <param name="Amount">Contract amount.</param>
/// <param name="Currency">ISO 4217 currency code.</param>
/// <param name="CnyRate">CNY per 1 unit of the currency effective on the signed date, fixed at signing; null while draft.</param>
/// <param name="StartDate">First day in force.</param>
/// <param name="EndDate">Last day in force.</param>
/// <param name="SignedDate">When it was signed; null while draft.</param>
/// <param name="Status">draft, signed, active, expired or terminated.</param>
/// <param name="OpportunityId">The opportunity it closes, if any.</param>
/// <param name="OrderId">The order it was drawn from, if any: an order the caller sees, of the same customer (422 otherwise).</param>
/// <param name="OwnerId">The rep responsible.</param>
/// <param name="RenewalOfId">The contract this one renews, if any.</param>
/// <param name="ProductCategory">What kind of product it sells; commission rules match on it.</param>
/// <param name="ReceivedAmount">Sum of its receipts that are not reversed.</param>
/// <param name="OutstandingAmount">What is still owed on it: amount less received (after termination: what was written off).</param>
/// <param name="TerminatedDate">The day it was terminated early, if it was.</param>
/// <param name="TerminationReason">Why it was terminated.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
internal sealed record ContractResponse(
    Guid Id,
    string Number,
    string? ExternalId,
    Guid CustomerId,
    string Title,
    decimal Amount,
    string Currency,
    decimal? CnyRate,
    DateOnly StartDate,
    DateOnly EndDate,
    DateOnly? SignedDate,
    ContractStatus Status,
    Guid? OpportunityId,
    Guid? OrderId,
    Guid? OwnerId,
    Guid? RenewalOfId,
    string? ProductCategory,
    decimal ReceivedAmount,
    decimal OutstandingAmount,
    DateOnly? TerminatedDate,
    string? TerminationReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

internal sealed record VersionedContract(ContractResponse Contract, uint Version);

internal static class ContractProjection
{
    public static readonly System.Linq.Expressions.Expression<Func<Contract, ContractResponse>> ToResponse = c =>
        new ContractResponse(c.Id, c.Number, c.ExternalId, c.CustomerId, c.Title, c.Amount, c.Currency, c.CnyRate, c.StartDate, c.EndDate, c.SignedDate, c.Status,
            c.OpportunityId, c.OrderId, c.OwnerId, c.RenewalOfId, c.ProductCategory, c.ReceivedAmount, c.Amount - c.ReceivedAmount,
            c.TerminatedDate, c.TerminationReason, c.CreatedAt, c.UpdatedAt);

    /// <summary>Newest first by default; endDate ascending serves the renewals-due list.</summary>
    public static readonly SortDefinition<Contract, ContractResponse> Sort = new SortDefinition<Contract, ContractResponse>(c => c.Id, c => c.Id, "-createdAt")
        .Add("createdAt", c => c.CreatedAt, c => c.CreatedAt)
        .Add("endDate", c => c.EndDate, c => c.EndDate);

    private static readonly Func<Contract, ContractResponse> Compiled = ToResponse.Compile();

    public static VersionedContract Versioned(Contract contract) => new(Compiled(contract), contract.Version);
}

internal static class ContractAccess
{
    /// <summary>The contract when the caller may see it (by its owner); otherwise 404, whether it exists or not.</summary>
    public static async Task<Contract> FindVisibleAsync(IQueryable<Contract> contracts, IAccessScopeProvider access, Guid id, CancellationToken ct)
    {
        var scope = await access.GetAsync(ct);
        return await contracts.Where(c => c.Id == id).Where(scope.Filter<Contract>(c => c.OwnerId)).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("Contract", id);
    }
}

internal static class ContractProblems
{
    public const string UnknownCustomerType = ProblemTypes.BaseUri + "unknown-customer";
    public const string UnknownOpportunityType = ProblemTypes.BaseUri + "unknown-opportunity";
    public const string UnknownOrderType = ProblemTypes.BaseUri + "unknown-order";
    public const string ContractNotDraftType = ProblemTypes.BaseUri + "contract-not-draft";
    public const string ContractNotRenewableType = ProblemTypes.BaseUri + "contract-not-renewable";
    public const string ContractAlreadyRenewedType = ProblemTypes.BaseUri + "contract-already-renewed";
    public const string ContractNotTerminableType = ProblemTypes.BaseUri + "contract-not-terminable";
    public const string UnknownOwnerType = ProblemTypes.BaseUri + "unknown-owner";
    public const string DuplicateExternalIdType = ProblemTypes.BaseUri + "duplicate-external-id";
    public const string ExternalIdIndex = "ix_contracts_external_id";

    public static ConflictException DuplicateExternalId(string what, string externalId) =>
        new(DuplicateExternalIdType, "External id already in use", $"Another {what} already has the external id '{externalId}'.");

    /// <summary>Whether saving failed on the unique external id index <paramref name="index"/> (then it is a 409, not a 500).</summary>
    public static bool IsExternalIdViolation(DbUpdateException ex, string index) =>
        ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation } pg && pg.ConstraintName == index;

    public static ProblemException NotEditable(Guid id, ContractStatus status, IEnumerable<string> fields) =>
        new ConflictException(ContractNotDraftType, "Contract is not a draft",
            $"Contract '{id}' is {status.ToString().ToLowerInvariant()}; {string.Join(", ", fields)} can only change on a draft (title and ownerId can always change).");

    public static ProblemException NotTerminable(Guid id, ContractStatus status) =>
        new ConflictException(ContractNotTerminableType, "Contract cannot be terminated",
            $"Contract '{id}' is {status.ToString().ToLowerInvariant()}; only a signed or active contract can be terminated.");

    public static ProblemException UnknownOwner(Guid id) =>
        new(422, UnknownOwnerType, "Unknown owner", $"User '{id}' does not exist or is not active.");

    public static ProblemException NotRenewable(Guid id, ContractStatus status) =>
        new ConflictException(ContractNotRenewableType, "Contract cannot be renewed",
            $"Contract '{id}' is {status.ToString().ToLowerInvariant()}; only a signed, active or expired contract can be renewed.");

    public static ProblemException AlreadyRenewed(Guid id) =>
        new ConflictException(ContractAlreadyRenewedType, "Contract already renewed", $"Contract '{id}' already has a renewal.");

    /// <summary>422 <c>unknown-order</c> unless the order is one the caller sees and is of the contract's customer.</summary>
    public static async Task EnsureOrderAsync(SalesDbContext db, AccessScope scope, Guid orderId, Guid customerId, CancellationToken ct)
    {
        if (!await db.Orders.IgnoreAutoIncludes().Where(scope.Filter<Order>(o => o.OwnerId)).AnyAsync(o => o.Id == orderId && o.CustomerId == customerId, ct))
        {
            throw new ProblemException(422, UnknownOrderType, "Unknown order", $"Order '{orderId}' does not exist, is not visible to you or is another customer's.");
        }
    }

    public static ProblemException UnknownCustomer(Guid id) =>
        new(422, UnknownCustomerType, "Unknown customer", $"Customer '{id}' does not exist or is not visible to you.");

    public static ProblemException UnknownOpportunity(Guid id) =>
        new(422, UnknownOpportunityType, "Unknown opportunity", $"Opportunity '{id}' does not exist or belongs to another customer.");

    public static ProblemException NotDraft(Guid id, ContractStatus status) =>
        new ConflictException(ContractNotDraftType, "Contract is not a draft", $"Contract '{id}' is {status.ToString().ToLowerInvariant()}; only a draft can be signed.");
}

/// <summary>Create a draft contract with a customer the caller can see.</summary>
/// <param name="CustomerId">The customer (required).</param>
/// <param name="Title">What it is for (required, at most 200 characters).</param>
/// <param name="Amount">Contract amount (required, 0 or more, 2 decimals).</param>
/// <param name="StartDate">First day in force (required).</param>
/// <param name="EndDate">Last day in force (required, on or after startDate).</param>
/// <param name="Currency">ISO 4217 code (default CNY).</param>
/// <param name="OpportunityId">The opportunity it closes; must belong to the same customer.</param>
/// <param name="OrderId">The order it was drawn from: an order the caller sees, of the same customer (422 <c>unknown-order</c> otherwise).</param>
/// <param name="OwnerId">The rep responsible (default: the customer's owner, else the caller).</param>
/// <param name="ProductCategory">What kind of product it sells (at most 100 characters); commission rules match on it.</param>
/// <param name="ExternalId">The ERP's id of the contract (at most 100 characters, unique).</param>
internal sealed record CreateContractRequest(
    Guid? CustomerId,
    string Title,
    decimal? Amount,
    DateOnly? StartDate,
    DateOnly? EndDate,
    string? Currency = null,
    Guid? OpportunityId = null,
    Guid? OrderId = null,
    Guid? OwnerId = null,
    string? ProductCategory = null,
    string? ExternalId = null) : IRequest<VersionedContract>;

internal sealed class CreateContractValidator : AbstractValidator<CreateContractRequest>
{
    public CreateContractValidator()
    {
        RuleFor(r => r.CustomerId).NotNull().NotEqual(Guid.Empty);
        RuleFor(r => r.Title).NotEmpty().MaximumLength(Contract.MaxTitleLength);
        RuleFor(r => r.Amount).NotNull().GreaterThanOrEqualTo(0).PrecisionScale(18, 2, ignoreTrailingZeros: true);
        RuleFor(r => r.StartDate).NotNull();
        RuleFor(r => r.EndDate).NotNull()
            .Must((r, end) => r.StartDate is null || end is null || end >= r.StartDate).WithMessage("endDate must be on or after startDate.");
        RuleFor(r => r.Currency).Matches("^[A-Z]{3}$").When(r => r.Currency is not null).WithMessage("currency must be an ISO 4217 code such as CNY.");
        RuleFor(r => r.ProductCategory).MaximumLength(Contract.MaxProductCategoryLength);
        RuleFor(r => r.ExternalId).ExternalId(Contract.MaxExternalIdLength);
    }
}

internal static class ExternalIdRules
{
    /// <summary>Absent or 1 to <paramref name="max"/> characters that are not all blank.</summary>
    public static IRuleBuilderOptions<T, string?> ExternalId<T>(this IRuleBuilder<T, string?> rule, int max) =>
        rule.Must(id => id is null || (id.Trim().Length > 0 && id.Trim().Length <= max))
            .WithMessage($"externalId must be 1 to {max} characters (not blank).");
}

internal sealed class CreateContractHandler(
    SalesDbContext db,
    ICustomerDirectory customers,
    IAccessScopeProvider access,
    ICurrentActor actor,
    TimeProvider time) : IRequestHandler<CreateContractRequest, VersionedContract>
{
    public async Task<VersionedContract> Handle(CreateContractRequest request, CancellationToken cancellationToken)
    {
        var customerId = request.CustomerId!.Value;
        var found = await customers.FindAsync([customerId], cancellationToken);
        var scope = await access.GetAsync(cancellationToken);
        if (!found.TryGetValue(customerId, out var customer) || !scope.CanSee(customer.OwnerId))
        {
            throw ContractProblems.UnknownCustomer(customerId);
        }

        if (request.OpportunityId is { } opportunityId
            && !await db.Opportunities.AnyAsync(o => o.Id == opportunityId && o.CustomerId == customer.Id, cancellationToken))
        {
            throw ContractProblems.UnknownOpportunity(opportunityId);
        }

        if (request.OrderId is { } orderId)
        {
            await ContractProblems.EnsureOrderAsync(db, scope, orderId, customer.Id, cancellationToken);
        }

        var contract = Contract.Create(
            customer.Id, request.Title, request.Amount!.Value, request.Currency ?? Contract.DefaultCurrency, request.StartDate!.Value, request.EndDate!.Value,
            request.OpportunityId, request.OrderId, request.OwnerId ?? customer.OwnerId ?? actor.Id, time.UtcNow(), request.ProductCategory, request.ExternalId);
        db.Contracts.Add(contract);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ContractProblems.IsExternalIdViolation(ex, ContractProblems.ExternalIdIndex))
        {
            throw ContractProblems.DuplicateExternalId("contract", contract.ExternalId!);
        }

        return ContractProjection.Versioned(contract);
    }
}

internal sealed record GetContractRequest(Guid Id) : IRequest<VersionedContract>;

internal sealed class GetContractHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<GetContractRequest, VersionedContract>
{
    public async Task<VersionedContract> Handle(GetContractRequest request, CancellationToken cancellationToken) =>
        ContractProjection.Versioned(await ContractAccess.FindVisibleAsync(db.Contracts.AsNoTracking(), access, request.Id, cancellationToken));
}

/// <summary>Sign a draft contract.</summary>
/// <param name="SignedDate">The day it was signed (required, not after today).</param>
internal sealed record SignContractRequest(DateOnly? SignedDate) : IRequest<VersionedContract>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class SignContractValidator : AbstractValidator<SignContractRequest>
{
    public SignContractValidator(TimeProvider time) =>
        RuleFor(r => r.SignedDate).NotNull()
            .Must(d => d is null || d <= DateOnly.FromDateTime(time.UtcNow().UtcDateTime.AddDays(1))).WithMessage("signedDate cannot be in the future.");
}

internal sealed class SignContractHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<SignContractRequest, VersionedContract>
{
    public async Task<VersionedContract> Handle(SignContractRequest request, CancellationToken cancellationToken)
    {
        var contract = await ContractAccess.FindVisibleAsync(db.Contracts, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(contract.Version);
        var now = time.UtcNow();
        // The CNY value of what is owed is fixed at the rate effective on the signed date (422 without one; a contract
        // that is not a draft is a 409 whatever the rates).
        var signedDate = request.SignedDate!.Value;
        var cnyRate = contract.Status == ContractStatus.Draft ? await ExchangeRateLookup.RateAsync(db, contract.Currency, signedDate, cancellationToken) : 1m;
        if (!contract.Sign(signedDate, cnyRate, now))
        {
            throw ContractProblems.NotDraft(contract.Id, contract.Status);
        }

        db.AddIntegrationEvent(new ContractSigned(now)
        {
            ContractId = contract.Id, ContractNumber = contract.Number, CustomerId = contract.CustomerId, Amount = contract.Amount, Currency = contract.Currency,
            BalanceAmount = contract.ToCny(contract.Amount),
        });

        // Signed on or after its start (or after its end) it is active (expired) at once: the event the lifecycle job
        // would have raised for the move comes with the signature, so every contract in force raises it once.
        if (ContractTransition.Of(contract).Event(now) is { } moved)
        {
            db.AddIntegrationEvent(moved);
        }

        await db.SaveChangesAsync(cancellationToken);
        return ContractProjection.Versioned(contract);
    }
}

/// <summary>Filters of the contract list and export.</summary>
internal sealed record ContractFilter(Guid? CustomerId, Guid? OwnerId, ContractStatus? Status, DateOnly? EndingBefore, string? ExternalId = null)
{
    public IQueryable<Contract> Apply(IQueryable<Contract> contracts)
    {
        if (CustomerId is { } customerId)
        {
            contracts = contracts.Where(c => c.CustomerId == customerId);
        }

        if (OwnerId is { } ownerId)
        {
            contracts = contracts.Where(c => c.OwnerId == ownerId);
        }

        if (Status is { } status)
        {
            contracts = contracts.Where(c => c.Status == status);
        }

        if (EndingBefore is { } endingBefore)
        {
            contracts = contracts.Where(c => c.EndDate < endingBefore);
        }

        return Contract.NormalizeExternalId(ExternalId) is { } externalId ? contracts.Where(c => c.ExternalId == externalId) : contracts;
    }
}

internal sealed record ListContractsRequest(PageRequest Page, string? Sort, ContractFilter Filter) : IRequest<Page<ContractResponse>>;

internal sealed class ListContractsHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<ListContractsRequest, Page<ContractResponse>>
{
    public async Task<Page<ContractResponse>> Handle(ListContractsRequest request, CancellationToken cancellationToken)
    {
        var order = ContractProjection.Sort.Parse(request.Sort);
        var scope = await access.GetAsync(cancellationToken);
        var contracts = request.Filter.Apply(db.Contracts.AsNoTracking().Where(scope.Filter<Contract>(c => c.OwnerId)));
        return await contracts.ToPageAsync(ContractProjection.ToResponse, order, request.Page, cancellationToken);
    }
}

/// <summary>Renew a contract (续约): a draft successor linked by renewalOfId; every field defaults from the renewed contract.</summary>
/// <param name="Title">Title (default: the renewed contract's).</param>
/// <param name="Amount">Amount (default: the renewed contract's; 0 or more, 2 decimals).</param>
/// <param name="StartDate">First day (default: the day after the renewed contract ends).</param>
/// <param name="EndDate">Last day (default: the same length as the renewed contract; on or after startDate).</param>
internal sealed record RenewContractRequest(string? Title = null, decimal? Amount = null, DateOnly? StartDate = null, DateOnly? EndDate = null)
    : IRequest<VersionedContract>
{
    [JsonIgnore]
    public Guid Id { get; init; }
}

internal sealed class RenewContractValidator : AbstractValidator<RenewContractRequest>
{
    public RenewContractValidator()
    {
        RuleFor(r => r.Title).NotEmpty().MaximumLength(Contract.MaxTitleLength).When(r => r.Title is not null);
        RuleFor(r => r.Amount).GreaterThanOrEqualTo(0).PrecisionScale(18, 2, ignoreTrailingZeros: true).When(r => r.Amount is not null);
        RuleFor(r => r.EndDate)
            .Must((r, end) => r.StartDate is null || end is null || end >= r.StartDate).WithMessage("endDate must be on or after startDate.");
    }
}

internal sealed class RenewContractHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<RenewContractRequest, VersionedContract>
{
    public async Task<VersionedContract> Handle(RenewContractRequest request, CancellationToken cancellationToken)
    {
        var renewed = await ContractAccess.FindVisibleAsync(db.Contracts.AsNoTracking(), access, request.Id, cancellationToken);
        if (!renewed.CanBeRenewed)
        {
            throw ContractProblems.NotRenewable(renewed.Id, renewed.Status);
        }

        if (await db.Contracts.AnyAsync(c => c.RenewalOfId == renewed.Id, cancellationToken))
        {
            throw ContractProblems.AlreadyRenewed(renewed.Id);
        }

        var start = request.StartDate ?? renewed.EndDate.AddDays(1);
        var end = request.EndDate ?? start.AddDays(renewed.EndDate.DayNumber - renewed.StartDate.DayNumber);
        if (end < start)
        {
            throw ValidationFailedException.For("endDate", "endDate must be on or after startDate.");
        }

        var now = time.UtcNow();
        var successor = renewed.Renew(request.Title ?? renewed.Title, request.Amount ?? renewed.Amount, start, end, now);

        // The successor's number comes from the database on insert; the event that names it is saved after it, in the
        // same transaction.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Contracts.Add(successor);
        await db.SaveChangesOrConflictAsync(_ => ContractProblems.AlreadyRenewed(renewed.Id), cancellationToken);
        db.AddIntegrationEvent(new ContractRenewed(now)
        {
            ContractId = successor.Id, ContractNumber = successor.Number, RenewedContractId = renewed.Id, RenewedContractNumber = renewed.Number,
            CustomerId = successor.CustomerId, OwnerId = successor.OwnerId, Amount = successor.Amount, Currency = successor.Currency,
            StartDate = successor.StartDate, EndDate = successor.EndDate,
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ContractProjection.Versioned(successor);
    }
}
