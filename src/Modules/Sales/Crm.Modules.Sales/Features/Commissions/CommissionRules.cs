using System.Linq.Expressions;
using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Commissions;

/// <summary>A commission rule (佣金规则).</summary>
/// <param name="Id">Rule id.</param>
/// <param name="Name">Optional label.</param>
/// <param name="RepId">The rep it applies to; null: every rep.</param>
/// <param name="ProductCategory">The contract product category it applies to; null: every category.</param>
/// <param name="Level">repAndCategory, rep, category or default: the more specific rule wins.</param>
/// <param name="RatePercent">Percent of the received amount.</param>
/// <param name="ValidFrom">First received day it applies to (inclusive); null: since ever.</param>
/// <param name="ValidTo">Last received day it applies to (inclusive); null: until further notice.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
internal sealed record CommissionRuleResponse(
    Guid Id,
    string? Name,
    Guid? RepId,
    string? ProductCategory,
    CommissionRuleLevel Level,
    decimal RatePercent,
    DateOnly? ValidFrom,
    DateOnly? ValidTo,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

internal sealed record VersionedCommissionRule(CommissionRuleResponse Rule, uint Version);

internal static class CommissionRuleProjection
{
    public static readonly SortDefinition<CommissionRule, CommissionRuleResponse> Sort =
        new SortDefinition<CommissionRule, CommissionRuleResponse>(r => r.Id, r => r.Id, "createdAt")
            .Add("createdAt", r => r.CreatedAt, r => r.CreatedAt)
            .Add("ratePercent", r => r.RatePercent, r => r.RatePercent);

    // Level is derived, so the projection spells it out for SQL.
    public static readonly Expression<Func<CommissionRule, CommissionRuleResponse>> ToResponse = r =>
        new CommissionRuleResponse(
            r.Id,
            r.Name,
            r.RepId,
            r.ProductCategory,
            r.RepId == null
                ? (r.ProductCategory == null ? CommissionRuleLevel.Default : CommissionRuleLevel.Category)
                : (r.ProductCategory == null ? CommissionRuleLevel.Rep : CommissionRuleLevel.RepAndCategory),
            r.RatePercent,
            r.ValidFrom,
            r.ValidTo,
            r.CreatedAt,
            r.UpdatedAt);

    public static VersionedCommissionRule Versioned(CommissionRule r) =>
        new(new CommissionRuleResponse(r.Id, r.Name, r.RepId, r.ProductCategory, r.Level, r.RatePercent, r.ValidFrom, r.ValidTo, r.CreatedAt, r.UpdatedAt), r.Version);
}

internal static class CommissionProblems
{
    public const string UnknownRepType = ProblemTypes.BaseUri + "unknown-rep";
    public const string DuplicateRuleType = ProblemTypes.BaseUri + "duplicate-commission-rule";

    public static ProblemException UnknownRep(Guid id) => new(422, UnknownRepType, "Unknown rep", $"User '{id}' does not exist.");

    /// <summary>Saves, turning the (rep, category, validFrom) unique index into a 409.</summary>
    public static Task SaveAsync(SalesDbContext db, CancellationToken cancellationToken) =>
        db.SaveChangesOrConflictAsync(
            _ => new ConflictException(DuplicateRuleType, "Duplicate commission rule",
                "There is already a rule for this rep and product category starting on the same day; change that rule or end it and start a new one."),
            cancellationToken);
}

/// <summary>Create a commission rule. Name a rep, a product category, both or neither (the default rule).</summary>
/// <param name="RatePercent">Percent of the received amount (required, 0 to 100, 2 decimals).</param>
/// <param name="RepId">The rep it applies to (an existing user); omit for every rep.</param>
/// <param name="ProductCategory">The contract product category it applies to (at most 100 characters); omit for every category.</param>
/// <param name="ValidFrom">First received day it applies to (inclusive).</param>
/// <param name="ValidTo">Last received day it applies to (inclusive), not before validFrom.</param>
/// <param name="Name">Optional label (at most 100 characters).</param>
internal sealed record CreateCommissionRuleRequest(
    decimal? RatePercent,
    Guid? RepId = null,
    string? ProductCategory = null,
    DateOnly? ValidFrom = null,
    DateOnly? ValidTo = null,
    string? Name = null) : IRequest<VersionedCommissionRule>;

internal sealed class CreateCommissionRuleValidator : AbstractValidator<CreateCommissionRuleRequest>
{
    public CreateCommissionRuleValidator()
    {
        RuleFor(r => r.RatePercent).NotNull().InclusiveBetween(0m, 100m).PrecisionScale(5, 2, ignoreTrailingZeros: true);
        RuleFor(r => r.RepId).NotEqual(Guid.Empty);
        RuleFor(r => r.ProductCategory).MaximumLength(CommissionRule.MaxCategoryLength);
        RuleFor(r => r.Name).MaximumLength(CommissionRule.MaxNameLength);
        RuleFor(r => r.ValidTo).GreaterThanOrEqualTo(r => r.ValidFrom).When(r => r.ValidFrom is not null && r.ValidTo is not null)
            .WithMessage("validTo cannot be before validFrom.");
    }
}

internal sealed class CreateCommissionRuleHandler(SalesDbContext db, IUserDirectory users, TimeProvider time)
    : IRequestHandler<CreateCommissionRuleRequest, VersionedCommissionRule>
{
    public async Task<VersionedCommissionRule> Handle(CreateCommissionRuleRequest request, CancellationToken cancellationToken)
    {
        // A rule may name a rep who has since left: their receipts still need their rate, so existence is enough.
        if (request.RepId is { } repId && await users.FindByIdAsync(repId, cancellationToken) is null)
        {
            throw CommissionProblems.UnknownRep(repId);
        }

        var rule = CommissionRule.Create(
            request.Name, request.RepId, request.ProductCategory, request.RatePercent!.Value, request.ValidFrom, request.ValidTo, time.UtcNow());
        db.CommissionRules.Add(rule);
        await CommissionProblems.SaveAsync(db, cancellationToken);
        return CommissionRuleProjection.Versioned(rule);
    }
}

internal sealed record GetCommissionRuleRequest(Guid Id) : IRequest<VersionedCommissionRule>;

internal sealed class GetCommissionRuleHandler(SalesDbContext db) : IRequestHandler<GetCommissionRuleRequest, VersionedCommissionRule>
{
    public async Task<VersionedCommissionRule> Handle(GetCommissionRuleRequest request, CancellationToken cancellationToken) =>
        CommissionRuleProjection.Versioned(
            await db.CommissionRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Commission rule", request.Id));
}

/// <summary>
/// A JSON merge patch of a commission rule: its rate, validity or name. Who and what it applies to (rep, category) is the
/// rule's identity: create another rule instead.
/// </summary>
/// <param name="RatePercent">Percent of the received amount (0 to 100, 2 decimals; not null).</param>
/// <param name="ValidFrom">First received day (inclusive); null opens the bound.</param>
/// <param name="ValidTo">Last received day (inclusive); null opens the bound.</param>
/// <param name="Name">Label; null clears it.</param>
internal sealed record UpdateCommissionRuleRequest(
    Optional<decimal?> RatePercent,
    Optional<DateOnly?> ValidFrom,
    Optional<DateOnly?> ValidTo,
    Optional<string?> Name) : IRequest<VersionedCommissionRule>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class UpdateCommissionRuleValidator : AbstractValidator<UpdateCommissionRuleRequest>
{
    public UpdateCommissionRuleValidator()
    {
        When(r => r.RatePercent.HasValue, () => RuleFor(r => r.RatePercent.Value).NotNull().InclusiveBetween(0m, 100m)
            .PrecisionScale(5, 2, ignoreTrailingZeros: true).OverridePropertyName("ratePercent"));
        When(r => r.Name.HasValue, () => RuleFor(r => r.Name.Value).MaximumLength(CommissionRule.MaxNameLength).OverridePropertyName("name"));
    }
}

internal sealed class UpdateCommissionRuleHandler(SalesDbContext db, TimeProvider time) : IRequestHandler<UpdateCommissionRuleRequest, VersionedCommissionRule>
{
    public async Task<VersionedCommissionRule> Handle(UpdateCommissionRuleRequest request, CancellationToken cancellationToken)
    {
        var rule = await db.CommissionRules.SingleOrDefaultAsync(r => r.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Commission rule", request.Id);
        request.IfMatch.EnsureMatches(rule.Version);
        var validFrom = request.ValidFrom.Or(rule.ValidFrom);
        var validTo = request.ValidTo.Or(rule.ValidTo);

        // Checked on the patched result: moving one bound must not cross the other.
        if (validFrom is not null && validTo is not null && validTo < validFrom)
        {
            throw ValidationFailedException.For("validTo", "validTo cannot be before validFrom.");
        }

        rule.Update(request.Name.Or(rule.Name), request.RatePercent.Or(rule.RatePercent) ?? rule.RatePercent, validFrom, validTo, time.UtcNow());
        await CommissionProblems.SaveAsync(db, cancellationToken);
        return CommissionRuleProjection.Versioned(rule);
    }
}

internal sealed record DeleteCommissionRuleRequest(Guid Id, IfMatch IfMatch) : IRequest<Unit>;

internal sealed class DeleteCommissionRuleHandler(SalesDbContext db) : IRequestHandler<DeleteCommissionRuleRequest, Unit>
{
    public async Task<Unit> Handle(DeleteCommissionRuleRequest request, CancellationToken cancellationToken)
    {
        var rule = await db.CommissionRules.SingleOrDefaultAsync(r => r.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Commission rule", request.Id);
        request.IfMatch.EnsureMatches(rule.Version);
        db.CommissionRules.Remove(rule);
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}

/// <summary>Filters of the rule list.</summary>
/// <param name="RepId">Only the rules of this rep.</param>
/// <param name="ProductCategory">Only the rules of this category.</param>
/// <param name="Level">Only rules of this level (default for the catch-all rules).</param>
/// <param name="ActiveOn">Only rules valid on this day.</param>
internal sealed record CommissionRuleFilter(Guid? RepId, string? ProductCategory, CommissionRuleLevel? Level, DateOnly? ActiveOn);

internal sealed record ListCommissionRulesRequest(PageRequest Page, string? Sort, CommissionRuleFilter Filter) : IRequest<Page<CommissionRuleResponse>>;

internal sealed class ListCommissionRulesHandler(SalesDbContext db) : IRequestHandler<ListCommissionRulesRequest, Page<CommissionRuleResponse>>
{
    public async Task<Page<CommissionRuleResponse>> Handle(ListCommissionRulesRequest request, CancellationToken cancellationToken)
    {
        var order = CommissionRuleProjection.Sort.Parse(request.Sort);
        var rules = db.CommissionRules.AsNoTracking();
        var filter = request.Filter;
        if (filter.RepId is { } repId)
        {
            rules = rules.Where(r => r.RepId == repId);
        }

        if (!string.IsNullOrWhiteSpace(filter.ProductCategory))
        {
            var category = filter.ProductCategory.Trim();
            rules = rules.Where(r => r.ProductCategory == category);
        }

        rules = filter.Level switch
        {
            CommissionRuleLevel.Default => rules.Where(r => r.RepId == null && r.ProductCategory == null),
            CommissionRuleLevel.Category => rules.Where(r => r.RepId == null && r.ProductCategory != null),
            CommissionRuleLevel.Rep => rules.Where(r => r.RepId != null && r.ProductCategory == null),
            CommissionRuleLevel.RepAndCategory => rules.Where(r => r.RepId != null && r.ProductCategory != null),
            _ => rules,
        };

        if (filter.ActiveOn is { } day)
        {
            rules = rules.Where(r => (r.ValidFrom == null || r.ValidFrom <= day) && (r.ValidTo == null || r.ValidTo >= day));
        }

        return await rules.ToPageAsync(CommissionRuleProjection.ToResponse, order, request.Page, cancellationToken);
    }
}
