using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Quotes;

/// <summary>A discount approval request (折扣审批) and its decision.</summary>
/// <param name="Id">Request id.</param>
/// <param name="QuoteId">The quote revision it is about.</param>
/// <param name="QuoteNumber">Its number.</param>
/// <param name="QuoteRevision">Its revision.</param>
/// <param name="CustomerId">The quote's customer.</param>
/// <param name="OwnerId">The quote's owner.</param>
/// <param name="MaxDiscountPercent">The largest effective line discount asked for.</param>
/// <param name="ThresholdPercent">The threshold it exceeds.</param>
/// <param name="QuoteTotal">The quote total asked for.</param>
/// <param name="Currency">Its currency.</param>
/// <param name="Status">pending, approved, rejected, or withdrawn (the lines changed or the quote was revised first).</param>
/// <param name="RequestedById">Who saved the lines that raised it.</param>
/// <param name="RequestedAt">When.</param>
/// <param name="DecidedById">Who approved or rejected it.</param>
/// <param name="DecidedAt">When it was decided or withdrawn.</param>
/// <param name="Comment">The decider's comment.</param>
internal sealed record QuoteApprovalResponse(
    Guid Id,
    Guid QuoteId,
    string QuoteNumber,
    int QuoteRevision,
    Guid CustomerId,
    Guid? OwnerId,
    decimal MaxDiscountPercent,
    decimal ThresholdPercent,
    decimal QuoteTotal,
    string Currency,
    QuoteApprovalStatus Status,
    Guid? RequestedById,
    DateTimeOffset RequestedAt,
    Guid? DecidedById,
    DateTimeOffset? DecidedAt,
    string? Comment);

internal sealed record VersionedQuoteApproval(QuoteApprovalResponse Approval, uint Version);

internal static class QuoteApprovalProjection
{
    public static readonly System.Linq.Expressions.Expression<Func<QuoteApproval, QuoteApprovalResponse>> ToResponse = a =>
        new QuoteApprovalResponse(a.Id, a.QuoteId, a.QuoteNumber, a.QuoteRevision, a.CustomerId, a.OwnerId, a.MaxDiscountPercent, a.ThresholdPercent, a.QuoteTotal,
            a.Currency, a.Status, a.RequestedById, a.RequestedAt, a.DecidedById, a.DecidedAt, a.Comment);

    /// <summary>Oldest first by default: the queue is worked in the order requests came in.</summary>
    public static readonly SortDefinition<QuoteApproval, QuoteApprovalResponse> Sort =
        new SortDefinition<QuoteApproval, QuoteApprovalResponse>(a => a.Id, a => a.Id, "requestedAt")
            .Add("requestedAt", a => a.RequestedAt, a => a.RequestedAt);

    private static readonly Func<QuoteApproval, QuoteApprovalResponse> Compiled = ToResponse.Compile();

    public static VersionedQuoteApproval Versioned(QuoteApproval approval) => new(Compiled(approval), approval.Version);
}

internal static class QuoteApprovalRules
{
    public const string NotPendingType = ProblemTypes.BaseUri + "approval-not-pending";

    public static async Task<QuoteApproval> FindVisibleAsync(IQueryable<QuoteApproval> approvals, AccessScope scope, Guid id, CancellationToken ct) =>
        await approvals.Where(a => a.Id == id).Where(scope.Filter<QuoteApproval>(a => a.OwnerId)).SingleOrDefaultAsync(ct)
        ?? throw new NotFoundException("Approval", id);
}

/// <summary>The approval queue of the managers over the quotes' owners.</summary>
internal sealed record ListQuoteApprovalsRequest(PageRequest Page, string? Sort, QuoteApprovalStatus? Status, Guid? QuoteId, Guid? OwnerId)
    : IRequest<Page<QuoteApprovalResponse>>;

internal sealed class ListQuoteApprovalsHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<ListQuoteApprovalsRequest, Page<QuoteApprovalResponse>>
{
    public async Task<Page<QuoteApprovalResponse>> Handle(ListQuoteApprovalsRequest request, CancellationToken cancellationToken)
    {
        var order = QuoteApprovalProjection.Sort.Parse(request.Sort);
        var scope = await access.GetAsync(cancellationToken);
        var approvals = db.QuoteApprovals.AsNoTracking().Where(scope.Filter<QuoteApproval>(a => a.OwnerId));
        if (request.Status is { } status)
        {
            approvals = approvals.Where(a => a.Status == status);
        }

        if (request.QuoteId is { } quoteId)
        {
            approvals = approvals.Where(a => a.QuoteId == quoteId);
        }

        if (request.OwnerId is { } ownerId)
        {
            approvals = approvals.Where(a => a.OwnerId == ownerId);
        }

        return await approvals.ToPageAsync(QuoteApprovalProjection.ToResponse, order, request.Page, cancellationToken);
    }
}

internal sealed record GetQuoteApprovalRequest(Guid Id) : IRequest<VersionedQuoteApproval>;

internal sealed class GetQuoteApprovalHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<GetQuoteApprovalRequest, VersionedQuoteApproval>
{
    public async Task<VersionedQuoteApproval> Handle(GetQuoteApprovalRequest request, CancellationToken cancellationToken) =>
        QuoteApprovalProjection.Versioned(
            await QuoteApprovalRules.FindVisibleAsync(db.QuoteApprovals.AsNoTracking(), await access.GetAsync(cancellationToken), request.Id, cancellationToken));
}

/// <summary>The approval history of one quote revision, oldest first (for whoever may see the quote).</summary>
internal sealed record ListQuoteApprovalHistoryRequest(Guid QuoteId) : IRequest<IReadOnlyList<QuoteApprovalResponse>>;

internal sealed class ListQuoteApprovalHistoryHandler(SalesDbContext db, IAccessScopeProvider access)
    : IRequestHandler<ListQuoteApprovalHistoryRequest, IReadOnlyList<QuoteApprovalResponse>>
{
    public async Task<IReadOnlyList<QuoteApprovalResponse>> Handle(ListQuoteApprovalHistoryRequest request, CancellationToken cancellationToken)
    {
        await QuoteRules.FindVisibleAsync(db.Quotes.AsNoTracking().IgnoreAutoIncludes(), await access.GetAsync(cancellationToken), request.QuoteId, cancellationToken);
        return await db.QuoteApprovals.AsNoTracking().Where(a => a.QuoteId == request.QuoteId).OrderBy(a => a.RequestedAt).ThenBy(a => a.Id)
            .Select(QuoteApprovalProjection.ToResponse).ToListAsync(cancellationToken);
    }
}

/// <summary>Approve or reject a pending discount approval request.</summary>
/// <param name="Comment">Why (required to reject; at most 1000 characters).</param>
internal sealed record DecideQuoteApprovalBody(string? Comment = null);

internal sealed record DecideQuoteApprovalRequest(Guid Id, bool Approve, string? Comment, IfMatch IfMatch) : IRequest<VersionedQuoteApproval>;

internal sealed class DecideQuoteApprovalValidator : AbstractValidator<DecideQuoteApprovalRequest>
{
    public DecideQuoteApprovalValidator()
    {
        RuleFor(r => r.Comment).MaximumLength(QuoteApproval.MaxCommentLength).OverridePropertyName("comment");
        RuleFor(r => r.Comment).NotEmpty().When(r => !r.Approve).OverridePropertyName("comment").WithMessage("comment is required to reject a discount.");
    }
}

internal sealed class DecideQuoteApprovalHandler(SalesDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<DecideQuoteApprovalRequest, VersionedQuoteApproval>
{
    public async Task<VersionedQuoteApproval> Handle(DecideQuoteApprovalRequest request, CancellationToken cancellationToken)
    {
        var approval = await QuoteApprovalRules.FindVisibleAsync(db.QuoteApprovals, await access.GetAsync(cancellationToken), request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(approval.Version);

        // Nobody approves their own discount, whatever their role.
        if (approval.OwnerId is not null && approval.OwnerId == actor.Id)
        {
            throw new ProblemException(403, ProblemTypes.Forbidden, "Forbidden", "A discount on your own quote is decided by a manager over you.");
        }

        var now = time.UtcNow();
        if (!approval.Decide(request.Approve, actor.Id, request.Comment, now))
        {
            throw new ConflictException(QuoteApprovalRules.NotPendingType, "Approval request not pending",
                $"The request is {QuoteProblems.Name(approval.Status)}; only a pending request can be decided.");
        }

        // The quote's row version guards the pair: a concurrent edit of the lines (which withdraws this request) conflicts.
        var quote = await db.Quotes.SingleAsync(q => q.Id == approval.QuoteId, cancellationToken);
        if (!quote.Apply(request.Approve ? QuoteAction.ApproveDiscount : QuoteAction.RejectDiscount, null, now))
        {
            throw QuoteProblems.Transition(quote, request.Approve ? QuoteAction.ApproveDiscount : QuoteAction.RejectDiscount);
        }

        await db.SaveChangesAsync(cancellationToken);
        return QuoteApprovalProjection.Versioned(approval);
    }
}

/// <summary>The quote settings.</summary>
/// <param name="DiscountApprovalThresholdPercent">A quote line whose effective discount is over this percentage needs a manager's approval (default 10).</param>
/// <param name="UpdatedAt">When a manager last changed it (null: the default applies).</param>
internal sealed record QuoteSettingsResponse(decimal DiscountApprovalThresholdPercent, DateTimeOffset? UpdatedAt);

internal sealed record VersionedQuoteSettings(QuoteSettingsResponse Settings, uint Version);

internal sealed record GetQuoteSettingsRequest : IRequest<VersionedQuoteSettings>;

internal sealed class GetQuoteSettingsHandler(SalesDbContext db) : IRequestHandler<GetQuoteSettingsRequest, VersionedQuoteSettings>
{
    public async Task<VersionedQuoteSettings> Handle(GetQuoteSettingsRequest request, CancellationToken cancellationToken)
    {
        var settings = await db.QuoteSettings.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        return settings is null
            ? new VersionedQuoteSettings(new QuoteSettingsResponse(QuoteSettings.DefaultDiscountApprovalThresholdPercent, null), 0)
            : new VersionedQuoteSettings(new QuoteSettingsResponse(settings.DiscountApprovalThresholdPercent, settings.UpdatedAt), settings.Version);
    }
}

/// <summary>Replace the quote settings. Quotes keep the threshold they were saved with; the new one applies when lines are next saved.</summary>
/// <param name="DiscountApprovalThresholdPercent">0 to 100, 2 decimals (required).</param>
internal sealed record UpdateQuoteSettingsRequest(decimal? DiscountApprovalThresholdPercent) : IRequest<VersionedQuoteSettings>
{
    [System.Text.Json.Serialization.JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class UpdateQuoteSettingsValidator : AbstractValidator<UpdateQuoteSettingsRequest>
{
    public UpdateQuoteSettingsValidator() =>
        RuleFor(r => r.DiscountApprovalThresholdPercent).NotNull().InclusiveBetween(0m, 100m).PrecisionScale(5, 2, true);
}

internal sealed class UpdateQuoteSettingsHandler(SalesDbContext db, TimeProvider time) : IRequestHandler<UpdateQuoteSettingsRequest, VersionedQuoteSettings>
{
    public async Task<VersionedQuoteSettings> Handle(UpdateQuoteSettingsRequest request, CancellationToken cancellationToken)
    {
        var settings = await db.QuoteSettings.SingleOrDefaultAsync(cancellationToken);
        var now = time.UtcNow();
        var threshold = request.DiscountApprovalThresholdPercent!.Value;
        if (settings is null)
        {
            // Before the first change the default is in force; its ETag is "0".
            request.IfMatch.EnsureMatches(0);
            settings = QuoteSettings.Create(threshold, now);
            db.QuoteSettings.Add(settings);
        }
        else
        {
            request.IfMatch.EnsureMatches(settings.Version);
            settings.Update(threshold, now);
        }

        await db.SaveChangesAsync(cancellationToken);
        return new VersionedQuoteSettings(new QuoteSettingsResponse(settings.DiscountApprovalThresholdPercent, settings.UpdatedAt), settings.Version);
    }
}
