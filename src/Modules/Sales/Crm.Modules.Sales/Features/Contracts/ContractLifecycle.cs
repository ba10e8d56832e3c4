using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Crm.Modules.Sales.Features.Contracts;

/// <summary>Settings of the contract lifecycle job (<c>Sales:Contracts</c>).</summary>
internal sealed class ContractLifecycleOptions
{
    public const string Section = "Sales:Contracts";

    /// <summary>Whether the job runs in this host (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often it runs (default one hour; the statuses move by day).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Moves contracts in force with the calendar, as <see cref="Contract.StatusOn"/> defines: signed becomes active on its
/// start date, signed or active becomes expired the day after its end date (days in UTC). One set-based UPDATE per run,
/// under an advisory lock so two instances do not both run it; one audit summary per new status, and the
/// <see cref="ContractActivated"/> / <see cref="ContractExpired"/> event of every moved contract written with one COPY
/// from the rows the UPDATE returns, in the same transaction.
/// </summary>
internal sealed class ContractLifecycle(SalesDbContext db, TimeProvider time)
{
    private const long LockKey = 0x73616c_636f6e74; // "sal" "cont"

    /// <summary>Returns how many contracts changed status, or null when another instance holds the lock.</summary>
    public async Task<int?> RunAsync(CancellationToken ct)
    {
        var now = time.UtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        string signed = nameof(ContractStatus.Signed), active = nameof(ContractStatus.Active), expired = nameof(ContractStatus.Expired);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (!await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({LockKey}) AS \"Value\"").SingleAsync(ct))
        {
            return null;
        }

        var moved = await db.Database.SqlQuery<ContractTransition>(
            $"""
            UPDATE sales.contracts
            SET status = CASE WHEN end_date < {today} THEN {expired} ELSE {active} END, updated_at = {now}
            WHERE (status = {signed} AND (start_date <= {today} OR end_date < {today}))
               OR (status = {active} AND end_date < {today})
            RETURNING id, number, customer_id, owner_id, amount, currency, cny_rate, received_amount, start_date, end_date, status
            """).ToListAsync(ct);

        if (moved.Count > 0)
        {
            await OutboxBulkWriter.CopyAsync(
                (NpgsqlConnection)db.Database.GetDbConnection(), SalesDbContext.SchemaName, moved.Select(c => c.Event(now)).OfType<IIntegrationEvent>(), ct);
        }

        foreach (var group in moved.GroupBy(c => c.Status))
        {
            db.AddAuditSummary<Contract>(AuditAction.Updated, group.Count(), new Dictionary<string, object?> { ["status"] = group.Key, ["reason"] = "lifecycle" });
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return moved.Count;
    }
}

/// <summary>
/// A contract as it stands after a status change, as the lifecycle UPDATE returns it (or as signing leaves it), and the
/// calendar event that change raises: <see cref="ContractActivated"/> when it became active, <see cref="ContractExpired"/>
/// when it expired, none otherwise.
/// </summary>
internal sealed record ContractTransition(
    Guid Id,
    string Number,
    Guid CustomerId,
    Guid? OwnerId,
    decimal Amount,
    string Currency,
    decimal? CnyRate,
    decimal ReceivedAmount,
    DateOnly StartDate,
    DateOnly EndDate,
    string Status)
{
    public static ContractTransition Of(Contract contract) =>
        new(contract.Id, contract.Number, contract.CustomerId, contract.OwnerId, contract.Amount, contract.Currency, contract.CnyRate, contract.ReceivedAmount,
            contract.StartDate, contract.EndDate, contract.Status.ToString());

    public IIntegrationEvent? Event(DateTimeOffset now) => Status switch
    {
        nameof(ContractStatus.Active) => new ContractActivated(now)
        {
            ContractId = Id, ContractNumber = Number, CustomerId = CustomerId, OwnerId = OwnerId, Amount = Amount, Currency = Currency,
            CnyAmount = ToCny(Amount), StartDate = StartDate, EndDate = EndDate,
        },
        nameof(ContractStatus.Expired) => new ContractExpired(now)
        {
            ContractId = Id, ContractNumber = Number, CustomerId = CustomerId, OwnerId = OwnerId, Amount = Amount, Currency = Currency,
            CnyAmount = ToCny(Amount), OutstandingAmount = Amount - ReceivedAmount, OutstandingCnyAmount = ToCny(Amount - ReceivedAmount),
            StartDate = StartDate, EndDate = EndDate,
        },
        _ => null,
    };

    /// <summary>As <see cref="Contract.ToCny"/>: at the rate fixed when it was signed.</summary>
    private decimal ToCny(decimal amount) => ExchangeRate.ToCny(amount, CnyRate ?? 1m);
}

/// <summary>Runs <see cref="ContractLifecycle"/> every <c>Sales:Contracts:Interval</c>.</summary>
internal sealed partial class ContractLifecycleService(
    IServiceScopeFactory scopes, IOptions<ContractLifecycleOptions> options, TimeProvider time, ILogger<ContractLifecycleService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var moved = await scope.ServiceProvider.GetRequiredService<ContractLifecycle>().RunAsync(stoppingToken);
                    LogMoved(logger, moved ?? 0);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: an interrupted run rolls back and the next one redoes it.
        }
    }

    [LoggerMessage(EventId = 6201, Level = LogLevel.Information, Message = "Contract lifecycle moved {Count} contracts")]
    private static partial void LogMoved(ILogger logger, int count);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Warning, Message = "Contract lifecycle failed; retrying on the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
