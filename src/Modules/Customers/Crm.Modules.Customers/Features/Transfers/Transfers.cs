using System.Text.Json.Serialization;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Transfers;

/// <summary>Transfer one customer to another customer manager (客户经理). Managers (within their team subtree) and administrators only.</summary>
/// <param name="NewOwnerId">The new owner: an active user the caller can see (required).</param>
/// <param name="Reason">Why (required, at most 500 characters); kept in the owner history.</param>
internal sealed record TransferCustomerRequest(Guid? NewOwnerId, string Reason) : IRequest<VersionedCustomer>
{
    [JsonIgnore]
    public Guid Id { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;

    [JsonIgnore]
    public bool CallerMayTransfer { get; init; }
}

internal sealed class TransferCustomerValidator : AbstractValidator<TransferCustomerRequest>
{
    public TransferCustomerValidator()
    {
        RuleFor(r => r.NewOwnerId).NotNull();
        RuleFor(r => r.Reason).NotEmpty().MaximumLength(CustomerOwnerChange.MaxReasonLength);
    }
}

/// <summary>The filter of a bulk transfer: the customer list's filters (archived customers are never transferred).</summary>
/// <param name="Q">Search term, as on the list.</param>
/// <param name="OwnerId">Only customers of this owner (the usual case: a rep leaves).</param>
/// <param name="TeamId">Only customers of this team.</param>
/// <param name="Tier">Only this value tier.</param>
/// <param name="Stage">Only this lifecycle stage.</param>
/// <param name="Province">Only this province.</param>
/// <param name="City">Only this city.</param>
/// <param name="Industry">Only this industry.</param>
/// <param name="Tag">Only customers with this tag.</param>
/// <param name="IsKeyAccount">Only key accounts, or only the others.</param>
/// <param name="LastFollowUpBefore">Newest follow-up before this instant.</param>
internal sealed record TransferFilter(
    string? Q = null,
    Guid? OwnerId = null,
    Guid? TeamId = null,
    string? Tier = null,
    string? Stage = null,
    string? Province = null,
    string? City = null,
    string? Industry = null,
    string? Tag = null,
    bool? IsKeyAccount = null,
    DateTimeOffset? LastFollowUpBefore = null)
{
    public CustomerFilter ToFilter() => new(
        Q: Q, OwnerId: OwnerId, TeamId: TeamId, Tier: Tier, Stage: QueryEnum.Parse<LifecycleStage>(Stage, "filter.stage"),
        Province: Province, City: City, Industry: Industry, Tag: Tag, IsKeyAccount: IsKeyAccount, LastFollowUpBefore: LastFollowUpBefore);
}

/// <summary>Transfer many customers to one new owner, by id (at most 1000) or by filter, in one set-based transaction.</summary>
/// <param name="CustomerIds">The customers, at most 1000; give these or filter.</param>
/// <param name="Filter">Which customers, as on the list; give this or customerIds.</param>
/// <param name="NewOwnerId">The new owner (required).</param>
/// <param name="Reason">Why (required, at most 500 characters).</param>
internal sealed record BulkTransferRequest(IReadOnlyList<Guid>? CustomerIds, TransferFilter? Filter, Guid? NewOwnerId, string Reason) : IRequest<BulkTransferResponse>
{
    public const int MaxIds = 1000;

    [JsonIgnore]
    public bool CallerMayTransfer { get; init; }
}

/// <summary>What a bulk transfer did.</summary>
/// <param name="TransferId">Groups the owner-history rows of this transfer.</param>
/// <param name="Transferred">Customers that changed owner.</param>
/// <param name="NotFound">Requested ids that do not exist, are archived or are not visible to the caller (id mode only).</param>
internal sealed record BulkTransferResponse(Guid TransferId, int Transferred, IReadOnlyList<Guid> NotFound);

internal sealed class BulkTransferValidator : AbstractValidator<BulkTransferRequest>
{
    public BulkTransferValidator()
    {
        RuleFor(r => r.NewOwnerId).NotNull();
        RuleFor(r => r.Reason).NotEmpty().MaximumLength(CustomerOwnerChange.MaxReasonLength);
        RuleFor(r => r.CustomerIds).Must((r, ids) => (ids is { Count: > 0 }) != (r.Filter is not null))
            .WithMessage("Give either customerIds or filter, not both.");
        RuleFor(r => r.CustomerIds).Must(ids => ids is null || ids.Count <= BulkTransferRequest.MaxIds)
            .WithMessage($"At most {BulkTransferRequest.MaxIds} customerIds; use filter for more.");
    }
}

/// <summary>Owner checks shared by single and bulk transfers.</summary>
internal static class TransferRules
{
    public static async Task<UserSummary> NewOwnerAsync(bool callerMayTransfer, AccessScope scope, IUserDirectory users, Guid newOwnerId, CancellationToken ct)
    {
        if (!callerMayTransfer)
        {
            throw new ProblemException(403, ProblemTypes.Forbidden, "Forbidden", "Only managers (within their team and its sub-teams) and administrators may transfer customers.");
        }

        if (!scope.CanSee(newOwnerId))
        {
            throw CustomersProblems.CannotAssignOwner();
        }

        var owner = await users.FindByIdAsync(newOwnerId, ct);
        return owner is { Active: true } ? owner : throw CustomersProblems.UnknownOwner(newOwnerId);
    }
}

internal sealed class TransferCustomerHandler(CustomersDbContext db, IAccessScopeProvider access, IUserDirectory users, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<TransferCustomerRequest, VersionedCustomer>
{
    public async Task<VersionedCustomer> Handle(TransferCustomerRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var customer = await CustomerAccess.FindVisibleAsync(db.Customers, access, request.Id, cancellationToken);
        request.IfMatch.EnsureMatches(customer.Version);
        var owner = await TransferRules.NewOwnerAsync(request.CallerMayTransfer, scope, users, request.NewOwnerId!.Value, cancellationToken);
        if (customer.Status == CustomerStatus.Archived)
        {
            throw CustomersProblems.CustomerArchived(customer.Id);
        }

        if (customer.OwnerId == owner.Id)
        {
            return CustomerProjection.Versioned(customer);
        }

        var now = time.UtcNow();
        var from = customer.OwnerId;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        customer.TransferTo(owner.Id, owner.TeamId, now);
        db.CustomerOwnerHistory.Add(CustomerOwnerChange.Create(customer.Id, from, owner.Id, request.Reason, actor.Id, now, Guid.CreateVersion7(now)));
        db.AddIntegrationEvent(new CustomerOwnerChanged(now)
        {
            CustomerId = customer.Id, FromOwnerId = from, ToOwnerId = owner.Id, ToTeamId = owner.TeamId, Reason = request.Reason.Trim(),
        });
        await db.SaveChangesAsync(cancellationToken);
        // Contacts carry the owner for the audit trail; they follow the customer.
        await db.Contacts.Where(c => c.CustomerId == customer.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.OwnerId, owner.Id), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return CustomerProjection.Versioned(customer);
    }
}

internal sealed class BulkTransferHandler(CustomersDbContext db, IAccessScopeProvider access, IUserDirectory users, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<BulkTransferRequest, BulkTransferResponse>
{
    public async Task<BulkTransferResponse> Handle(BulkTransferRequest request, CancellationToken cancellationToken)
    {
        var scope = await access.GetAsync(cancellationToken);
        var owner = await TransferRules.NewOwnerAsync(request.CallerMayTransfer, scope, users, request.NewOwnerId!.Value, cancellationToken);
        var to = owner.Id;
        var team = owner.TeamId;
        var reason = request.Reason.Trim();
        var now = time.UtcNow();
        var transferId = Guid.CreateVersion7(now);
        var visible = db.Customers.AsNoTracking().Where(scope.Filter<Customer>(c => c.OwnerId));

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        List<Guid> ids;
        IReadOnlyList<Guid> notFound = [];
        if (request.CustomerIds is { } requested)
        {
            var wanted = requested.Distinct().ToList();
            var found = await visible.Where(c => wanted.Contains(c.Id) && c.Status != CustomerStatus.Archived && c.Status != CustomerStatus.Merged)
                .Select(c => new { c.Id, c.OwnerId }).ToListAsync(cancellationToken);
            notFound = wanted.Except(found.Select(f => f.Id)).ToList();
            ids = found.Where(f => f.OwnerId != to).Select(f => f.Id).ToList();
        }
        else
        {
            ids = await CustomerQuery.Apply(visible, request.Filter!.ToFilter()).Where(c => c.OwnerId != to).Select(c => c.Id).ToListAsync(cancellationToken);
        }

        // History first, reading each row's current owner under a row lock, then the one UPDATE: the locks
        // keep a concurrent transfer from changing an owner between the two statements.
        var actorId = actor.Id;
        var idArray = ids.ToArray();
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO customers.customer_owner_history (customer_id, from_owner_id, to_owner_id, reason, actor_id, at, transfer_id)
            SELECT c.id, c.owner_id, {to}, {reason}, {actorId}, {now}, {transferId}
            FROM customers.customers c
            WHERE c.id = ANY({idArray}) AND c.owner_id IS DISTINCT FROM {to}
            FOR UPDATE
            """,
            cancellationToken);
        var moved = await db.Customers.Where(c => ids.Contains(c.Id) && c.OwnerId != to)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.OwnerId, to).SetProperty(c => c.TeamId, team).SetProperty(c => c.UpdatedAt, now), cancellationToken);
        await db.Contacts.Where(c => ids.Contains(c.CustomerId)).ExecuteUpdateAsync(s => s.SetProperty(c => c.OwnerId, to), cancellationToken);

        db.AddAuditSummary<Customer>(AuditAction.Updated, moved, new Dictionary<string, object?> { ["ownerId"] = to, ["teamId"] = team, ["transferReason"] = reason });
        if (moved > 0)
        {
            db.AddIntegrationEvent(new CustomersTransferred(now) { TransferId = transferId, CustomerIds = ids, ToOwnerId = to, ToTeamId = team, Reason = reason });
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new BulkTransferResponse(transferId, moved, notFound);
    }
}

/// <summary>One change of owner.</summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="FromOwnerId">The previous owner.</param>
/// <param name="ToOwnerId">The new owner (null: released or reclaimed to the public pool).</param>
/// <param name="Reason">Why.</param>
/// <param name="ActorId">Who transferred it.</param>
/// <param name="At">When.</param>
/// <param name="TransferId">Shared by all customers of one bulk transfer.</param>
internal sealed record OwnerChangeResponse(Guid CustomerId, Guid? FromOwnerId, Guid? ToOwnerId, string Reason, Guid? ActorId, DateTimeOffset At, Guid TransferId);

internal sealed record GetOwnerHistoryRequest(Guid CustomerId) : IRequest<IReadOnlyList<OwnerChangeResponse>>;

internal sealed class GetOwnerHistoryHandler(CustomersDbContext db, IAccessScopeProvider access) : IRequestHandler<GetOwnerHistoryRequest, IReadOnlyList<OwnerChangeResponse>>
{
    public async Task<IReadOnlyList<OwnerChangeResponse>> Handle(GetOwnerHistoryRequest request, CancellationToken cancellationToken)
    {
        var customer = await CustomerAccess.FindVisibleReadOnlyAsync(db, access, request.CustomerId, cancellationToken, includePool: true);
        return await db.CustomerOwnerHistory.AsNoTracking()
            .Where(h => h.CustomerId == customer.Id)
            .OrderByDescending(h => h.Id)
            .Select(h => new OwnerChangeResponse(h.CustomerId, h.FromOwnerId, h.ToOwnerId, h.Reason, h.ActorId, h.At, h.TransferId))
            .ToListAsync(cancellationToken);
    }
}
