using System.Linq.Expressions;
using System.Text.Json.Serialization;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Leads;

/// <summary>A follow-up (跟进记录) of a lead.</summary>
/// <param name="Id">Follow-up id.</param>
/// <param name="LeadId">The lead.</param>
/// <param name="Kind">note, call, email, visit or message.</param>
/// <param name="Content">What happened.</param>
/// <param name="OccurredAt">When it happened.</param>
/// <param name="NextFollowUpAt">When the next follow-up is planned.</param>
/// <param name="AuthorId">The user or API key that logged it.</param>
/// <param name="CreatedAt">When it was logged.</param>
internal sealed record LeadFollowUpResponse(
    Guid Id, Guid LeadId, LeadFollowUpKind Kind, string Content, DateTimeOffset OccurredAt, DateTimeOffset? NextFollowUpAt, Guid? AuthorId, DateTimeOffset CreatedAt);

internal static class LeadFollowUpProjection
{
    public static readonly Expression<Func<LeadFollowUp, LeadFollowUpResponse>> ToResponse = f =>
        new LeadFollowUpResponse(f.Id, f.LeadId, f.Kind, f.Content, f.OccurredAt, f.NextFollowUpAt, f.AuthorId, f.CreatedAt);

    /// <summary>Newest first.</summary>
    public static readonly SortDefinition<LeadFollowUp, LeadFollowUpResponse> Sort =
        new SortDefinition<LeadFollowUp, LeadFollowUpResponse>(f => f.Id, f => f.Id, "-occurredAt").Add("occurredAt", f => f.OccurredAt, f => f.OccurredAt);

    private static readonly Func<LeadFollowUp, LeadFollowUpResponse> Compiled = ToResponse.Compile();

    public static LeadFollowUpResponse From(LeadFollowUp followUp) => Compiled(followUp);
}

/// <summary>Log a follow-up of an open lead; a new lead becomes contacted.</summary>
/// <param name="Kind">note, call, email, visit or message (required).</param>
/// <param name="Content">What happened (required, at most 4000 characters).</param>
/// <param name="OccurredAt">When it happened (required, not in the future).</param>
/// <param name="NextFollowUpAt">When the next follow-up is planned (after occurredAt).</param>
internal sealed record CreateLeadFollowUpRequest(LeadFollowUpKind? Kind, string? Content, DateTimeOffset? OccurredAt, DateTimeOffset? NextFollowUpAt = null)
    : IRequest<LeadFollowUpResponse>
{
    [JsonIgnore]
    public Guid LeadId { get; init; }
}

internal sealed class CreateLeadFollowUpValidator : AbstractValidator<CreateLeadFollowUpRequest>
{
    // Clocks of phones and laptops drift; a follow-up logged "now" must not be refused for a few seconds.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public CreateLeadFollowUpValidator(TimeProvider time)
    {
        RuleFor(r => r.Kind).NotNull().WithMessage("kind is required: note, call, email, visit or message.");
        RuleFor(r => r.Content).NotEmpty().MaximumLength(LeadFollowUp.MaxContentLength);
        RuleFor(r => r.OccurredAt).NotNull().Must(at => at <= time.UtcNow() + ClockSkew).WithMessage("occurredAt cannot be in the future.");
        RuleFor(r => r.NextFollowUpAt).Must((r, next) => next is null || r.OccurredAt is null || next > r.OccurredAt)
            .WithMessage("nextFollowUpAt must be after occurredAt.");
    }
}

internal sealed class CreateLeadFollowUpHandler(SalesDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<CreateLeadFollowUpRequest, LeadFollowUpResponse>
{
    public async Task<LeadFollowUpResponse> Handle(CreateLeadFollowUpRequest request, CancellationToken cancellationToken)
    {
        var lead = await LeadAccess.FindVisibleAsync(db.Leads, access, request.LeadId, cancellationToken);
        if (!lead.IsOpen)
        {
            throw LeadsProblems.LeadClosed(lead);
        }

        var now = time.UtcNow();
        var occurredAt = request.OccurredAt!.Value.ToUniversalTime();
        var followUp = LeadFollowUp.Create(lead.Id, request.Kind!.Value, request.Content!, occurredAt, request.NextFollowUpAt?.ToUniversalTime(), actor.Id, now);
        db.LeadFollowUps.Add(followUp);

        // The lead row is tracked with its xmin: a concurrent status change makes this save fail rather than undo it.
        lead.RecordFollowUp(occurredAt, now);
        await db.SaveChangesAsync(cancellationToken);
        return LeadFollowUpProjection.From(followUp);
    }
}

internal sealed record ListLeadFollowUpsRequest(Guid LeadId, PageRequest Page, string? Sort, LeadFollowUpKind? Kind) : IRequest<Page<LeadFollowUpResponse>>;

internal sealed class ListLeadFollowUpsHandler(SalesDbContext db, IAccessScopeProvider access) : IRequestHandler<ListLeadFollowUpsRequest, Page<LeadFollowUpResponse>>
{
    public async Task<Page<LeadFollowUpResponse>> Handle(ListLeadFollowUpsRequest request, CancellationToken cancellationToken)
    {
        var order = LeadFollowUpProjection.Sort.Parse(request.Sort);
        await LeadAccess.FindVisibleAsync(db.Leads.AsNoTracking(), access, request.LeadId, cancellationToken);
        var followUps = db.LeadFollowUps.AsNoTracking().Where(f => f.LeadId == request.LeadId);
        if (request.Kind is { } kind)
        {
            followUps = followUps.Where(f => f.Kind == kind);
        }

        return await followUps.ToPageAsync(LeadFollowUpProjection.ToResponse, order, request.Page, cancellationToken);
    }
}
