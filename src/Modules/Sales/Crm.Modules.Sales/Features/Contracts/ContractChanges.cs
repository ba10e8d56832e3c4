using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Payments;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Contracts;

/// <summary>
/// A JSON merge patch of a contract. On a draft every field may change; once signed only <c>title</c>, <c>ownerId</c>
/// and <c>externalId</c> may (the terms are what the customer signed; a receipt keeps the owner it was recorded with).
/// </summary>
/// <param name="Title">What it is for (not empty, at most 200 characters).</param>
/// <param name="OwnerId">The rep responsible: an active user in the caller's scope (not null).</param>
/// <param name="Amount">Draft only: the amount (0 or more, 2 decimals, not below the payment plan's total).</param>
/// <param name="Currency">Draft only: ISO 4217 code.</param>
/// <param name="StartDate">Draft only: first day in force.</param>
/// <param name="EndDate">Draft only: last day in force (on or after startDate).</param>
/// <param name="OpportunityId">Draft only: the opportunity it closes (of the same customer); null unlinks it.</param>
/// <param name="OrderId">Draft only: the order it was drawn from, an order the caller sees of the same customer (422 otherwise); null unlinks it.</param>
/// <param name="ProductCategory">Draft only: what kind of product it sells (commission rules match on it); null clears it.</param>
/// <param name="ExternalId">The ERP's id (any status; at most 100 characters, unique); null clears it.</param>
internal sealed record UpdateContractRequest(
    Optional<string?> Title,
    Optional<Guid?> OwnerId,
    Optional<decimal?> Amount,
    Optional<string?> Currency,
    Optional<DateOnly?> StartDate,
    Optional<DateOnly?> EndDate,
    Optional<Guid?> OpportunityId,
    Optional<Guid?> OrderId,
    Optional<string?> ProductCategory,
    Optional<string?> ExternalId) : IRequest<VersionedContract>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;

    /// <summary>The draft-only fields present in the patch, by their JSON names.</summary>
    public IEnumerable<string> DraftOnlyFields()
    {
        if (Amount.HasValue)
        {
            yield return "amount";
        }

        if (Currency.HasValue)
        {
            yield return "currency";
        }

        if (StartDate.HasValue)
        {
            yield return "startDate";
        }

        if (EndDate.HasValue)
        {
            yield return "endDate";
        }

        if (OpportunityId.HasValue)
        {
            yield return "opportunityId";
        }

        if (OrderId.HasValue)
        {
            yield return "orderId";
        }

        if (ProductCategory.HasValue)
        {
            yield return "productCategory";
        }
    }
}

internal sealed class UpdateContractValidator : AbstractValidator<UpdateContractRequest>
{
    public UpdateContractValidator()
    {
        When(r => r.Title.HasValue, () => RuleFor(r => r.Title.Value).NotEmpty().MaximumLength(Contract.MaxTitleLength).OverridePropertyName("title"));
        When(r => r.OwnerId.HasValue, () => RuleFor(r => r.OwnerId.Value).NotNull().NotEqual(Guid.Empty).OverridePropertyName("ownerId"));
        When(r => r.Amount.HasValue, () => RuleFor(r => r.Amount.Value).NotNull().GreaterThanOrEqualTo(0)
            .PrecisionScale(18, 2, ignoreTrailingZeros: true).OverridePropertyName("amount"));
        When(r => r.Currency.HasValue, () => RuleFor(r => r.Currency.Value).NotNull().Matches("^[A-Z]{3}$")
            .WithMessage("currency must be an ISO 4217 code such as CNY.").OverridePropertyName("currency"));
        When(r => r.StartDate.HasValue, () => RuleFor(r => r.StartDate.Value).NotNull().OverridePropertyName("startDate"));
        When(r => r.EndDate.HasValue, () => RuleFor(r => r.EndDate.Value).NotNull().OverridePropertyName("endDate"));
        When(r => r.ProductCategory.HasValue, () => RuleFor(r => r.ProductCategory.Value).MaximumLength(Contract.MaxProductCategoryLength)
            .OverridePropertyName("productCategory"));
        When(r => r.ExternalId.HasValue, () => RuleFor(r => r.ExternalId.Value).ExternalId(Contract.MaxExternalIdLength).OverridePropertyName("externalId"));
    }
}

internal sealed class UpdateContractHandler(SalesDbContext db, IAccessScopeProvider access, IUserDirectory users, TimeProvider time)
    : IRequestHandler<UpdateContractRequest, VersionedContract>
{
    public async Task<VersionedContract> Handle(UpdateContractRequest request, CancellationToken cancellationToken)
    {
        var contract = await ContractAccess.FindVisibleAsync(db.Contracts, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(contract.Version);
        var draftOnly = request.DraftOnlyFields().ToList();
        if (draftOnly.Count > 0 && contract.Status != ContractStatus.Draft)
        {
            throw ContractProblems.NotEditable(contract.Id, contract.Status, draftOnly);
        }

        var previousOwnerId = contract.OwnerId;
        var ownerId = request.OwnerId.Or(previousOwnerId);
        var ownerChanged = request.OwnerId.HasValue && ownerId != previousOwnerId;
        Guid? changedBy = null;
        if (ownerChanged)
        {
            changedBy = await EnsureAssignableAsync(ownerId!.Value, cancellationToken);
        }

        var now = time.UtcNow();
        if (draftOnly.Count > 0)
        {
            await ReviseAsync(contract, request, now, cancellationToken);
        }

        contract.Rename(request.Title.Or(contract.Title) ?? contract.Title, ownerId, now);
        if (ownerChanged)
        {
            db.AddIntegrationEvent(new ContractOwnerChanged(now)
            {
                ContractId = contract.Id,
                ContractNumber = contract.Number,
                CustomerId = contract.CustomerId,
                Status = contract.Status.ToString().ToLowerInvariant(),
                FromOwnerId = previousOwnerId,
                ToOwnerId = ownerId!.Value,
                ChangedBy = changedBy,
                Amount = contract.Amount,
                Currency = contract.Currency,
            });
        }
        if (request.ExternalId.HasValue)
        {
            contract.Identify(request.ExternalId.Value, now);
        }

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

    /// <summary>
    /// Like opportunities: the new owner must be someone the caller may hand work to (403) and an active user (422).
    /// Returns the caller, who gives the contract away.
    /// </summary>
    private async Task<Guid?> EnsureAssignableAsync(Guid ownerId, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        if (ownerId != scope.UserId && !scope.CanSee(ownerId))
        {
            throw new ProblemException(403, ProblemTypes.Forbidden, "Forbidden", "You may only give contracts to users in your team subtree.");
        }

        if (await users.FindByIdAsync(ownerId, cancellationToken) is not { Active: true })
        {
            throw ContractProblems.UnknownOwner(ownerId);
        }

        return scope.UserId;
    }

    private async Task ReviseAsync(Contract contract, UpdateContractRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var start = request.StartDate.Or(contract.StartDate) ?? contract.StartDate;
        var end = request.EndDate.Or(contract.EndDate) ?? contract.EndDate;

        // Checked on the patched result: moving one date must not cross the other.
        if (end < start)
        {
            throw ValidationFailedException.For("endDate", "endDate must be on or after startDate.");
        }

        var opportunityId = request.OpportunityId.Or(contract.OpportunityId);
        if (request.OpportunityId.HasValue && opportunityId is { } linked
            && !await db.Opportunities.AnyAsync(o => o.Id == linked && o.CustomerId == contract.CustomerId, cancellationToken))
        {
            throw ContractProblems.UnknownOpportunity(linked);
        }

        if (request.OrderId.HasValue && request.OrderId.Value is { } orderId)
        {
            await ContractProblems.EnsureOrderAsync(db, await access.GetAsync(cancellationToken), orderId, contract.CustomerId, cancellationToken);
        }

        var amount = request.Amount.Or(contract.Amount) ?? contract.Amount;
        if (amount < contract.Amount)
        {
            // The plan was checked against the old amount; the new one must still cover it. The contract's row version
            // (bumped when an instalment is added) makes a concurrent addition conflict instead of slipping past this.
            var planned = await db.PaymentInstalments.Where(i => i.ContractId == contract.Id).SumAsync(i => (decimal?)i.Amount, cancellationToken) ?? 0m;
            if (planned > amount)
            {
                throw PaymentProblems.PlanExceedsContract(amount, planned, 0m);
            }
        }

        contract.Revise(
            amount, request.Currency.Or(contract.Currency) ?? contract.Currency, start, end, opportunityId, request.OrderId.Or(contract.OrderId),
            request.ProductCategory.Or(contract.ProductCategory), now);
    }
}

/// <summary>Terminate a contract early (终止).</summary>
/// <param name="Reason">Why (required, at most 500 characters).</param>
/// <param name="TerminatedDate">The day it ends (default today; not in the future).</param>
internal sealed record TerminateContractRequest(string? Reason, DateOnly? TerminatedDate = null) : IRequest<VersionedContract>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class TerminateContractValidator : AbstractValidator<TerminateContractRequest>
{
    public TerminateContractValidator(TimeProvider time)
    {
        RuleFor(r => r.Reason).NotEmpty().MaximumLength(Contract.MaxTerminationReasonLength);
        RuleFor(r => r.TerminatedDate)
            .Must(d => d is null || d <= DateOnly.FromDateTime(time.UtcNow().UtcDateTime.AddDays(1))).WithMessage("terminatedDate cannot be in the future.");
    }
}

internal sealed class TerminateContractHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<TerminateContractRequest, VersionedContract>
{
    public async Task<VersionedContract> Handle(TerminateContractRequest request, CancellationToken cancellationToken)
    {
        var contract = await ContractAccess.FindVisibleAsync(db.Contracts, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(contract.Version);
        var now = time.UtcNow();
        if (!contract.Terminate(request.TerminatedDate ?? DateOnly.FromDateTime(now.UtcDateTime), request.Reason!, now))
        {
            throw ContractProblems.NotTerminable(contract.Id, contract.Status);
        }

        // The unpaid part is read under the contract's row version: a receipt recorded concurrently conflicts (409) rather
        // than being both received and written off.
        db.AddIntegrationEvent(new ContractTerminated(now)
        {
            ContractId = contract.Id, ContractNumber = contract.Number, CustomerId = contract.CustomerId, UnpaidAmount = contract.Outstanding,
            Currency = contract.Currency, BalanceAmount = contract.ToCny(contract.Outstanding), TerminatedDate = contract.TerminatedDate!.Value, Reason = contract.TerminationReason!,
        });

        // Nothing is owed on it any more: its received part at the receipts' rates and the written-off part at the signing
        // rate close its CNY contribution with an exchange difference (ADR 0036).
        await ExchangeDifferences.SettleAsync(db, contract, true, 0m, contract.ToCny(contract.Outstanding), now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return ContractProjection.Versioned(contract);
    }
}
