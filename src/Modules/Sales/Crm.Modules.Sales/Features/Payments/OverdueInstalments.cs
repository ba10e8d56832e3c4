using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Time;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Payments;

/// <summary>An instalment past its due date with something still unpaid (催款).</summary>
/// <param name="Id">Instalment id.</param>
/// <param name="ContractId">The contract.</param>
/// <param name="ContractNumber">Its number.</param>
/// <param name="CustomerId">The customer who owes it.</param>
/// <param name="OwnerId">The contract owner.</param>
/// <param name="Sequence">Instalment number within the plan.</param>
/// <param name="DueDate">When it was due.</param>
/// <param name="Amount">Amount due.</param>
/// <param name="PaidAmount">What was paid on it.</param>
/// <param name="UnpaidAmount">What is still owed on it.</param>
internal sealed record OverdueInstalmentResponse(
    Guid Id, Guid ContractId, string ContractNumber, Guid CustomerId, Guid? OwnerId, int Sequence, DateOnly DueDate, decimal Amount, decimal PaidAmount, decimal UnpaidAmount);

/// <summary>Query string of <c>GET /api/v1/sales/instalments/overdue</c>.</summary>
/// <param name="AsOf">Overdue as of this day: due before it (default today).</param>
/// <param name="CustomerId">Only this customer's instalments.</param>
/// <param name="OwnerId">Only instalments of contracts this rep owns.</param>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">dueDate (default, oldest first) or -dueDate.</param>
internal sealed record ListOverdueInstalmentsQuery(DateOnly? AsOf, Guid? CustomerId, Guid? OwnerId, int? Limit, string? Cursor, string? Sort);

internal sealed record ListOverdueInstalmentsRequest(DateOnly? AsOf, Guid? CustomerId, Guid? OwnerId, PageRequest Page, string? Sort)
    : IRequest<Page<OverdueInstalmentResponse>>;

/// <summary>The joined row the keyset pages over (a member-init shape so filters and order translate to SQL).</summary>
internal sealed class OverdueInstalmentRow
{
    public Guid Id { get; init; }

    public Guid ContractId { get; init; }

    public string ContractNumber { get; init; } = string.Empty;

    public Guid CustomerId { get; init; }

    public Guid? OwnerId { get; init; }

    public int Sequence { get; init; }

    public DateOnly DueDate { get; init; }

    public decimal Amount { get; init; }

    public decimal PaidAmount { get; init; }
}

internal sealed class ListOverdueInstalmentsHandler(SalesDbContext db, IAccessScopeProvider access, TimeProvider time)
    : IRequestHandler<ListOverdueInstalmentsRequest, Page<OverdueInstalmentResponse>>
{
    private static readonly SortDefinition<OverdueInstalmentRow, OverdueInstalmentResponse> Sort =
        new SortDefinition<OverdueInstalmentRow, OverdueInstalmentResponse>(r => r.Id, r => r.Id, "dueDate")
            .Add("dueDate", r => r.DueDate, r => r.DueDate);

    public async Task<Page<OverdueInstalmentResponse>> Handle(ListOverdueInstalmentsRequest request, CancellationToken cancellationToken)
    {
        var order = Sort.Parse(request.Sort);
        var asOf = request.AsOf ?? DateOnly.FromDateTime(time.UtcNow().UtcDateTime);
        var scope = await access.GetAsync(cancellationToken);
        var contracts = db.Contracts.AsNoTracking().Where(scope.Filter<Contract>(c => c.OwnerId))
            .Where(c => c.Status == ContractStatus.Signed || c.Status == ContractStatus.Active || c.Status == ContractStatus.Expired);
        if (request.CustomerId is { } customerId)
        {
            contracts = contracts.Where(c => c.CustomerId == customerId);
        }

        if (request.OwnerId is { } ownerId)
        {
            contracts = contracts.Where(c => c.OwnerId == ownerId);
        }

        // "paid_amount < amount" repeats the partial index's predicate so the planner can use ix on (due_date, id).
        var rows =
            from i in db.PaymentInstalments.AsNoTracking()
            where i.PaidAmount < i.Amount && i.DueDate < asOf
            join c in contracts on i.ContractId equals c.Id
            select new OverdueInstalmentRow
            {
                Id = i.Id, ContractId = c.Id, ContractNumber = c.Number, CustomerId = c.CustomerId, OwnerId = c.OwnerId, Sequence = i.Sequence,
                DueDate = i.DueDate, Amount = i.Amount, PaidAmount = i.PaidAmount,
            };

        return await rows.ToPageAsync(
            r => new OverdueInstalmentResponse(r.Id, r.ContractId, r.ContractNumber, r.CustomerId, r.OwnerId, r.Sequence, r.DueDate, r.Amount, r.PaidAmount, r.Amount - r.PaidAmount),
            order,
            request.Page,
            cancellationToken);
    }
}
