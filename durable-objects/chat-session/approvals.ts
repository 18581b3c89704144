export interface ApprovalRow extends Record<string, SqlStorageValue> {
  id: string;
  reply_id: string;
  tool_call_id: string;
  tool: string;
  args: string;
  status: 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled';
  reason: string | null;
  expires_at: number;
}

/** The session's tool approvals: asked by a reply, answered by a person or expired by the alarm. */
export class ApprovalStore {
  constructor(private readonly sql: SqlStorage) {}

  insert(a: Omit<ApprovalRow, 'status' | 'reason'>) {
    this.sql.exec(
      `INSERT INTO approvals (id, reply_id, tool_call_id, tool, args, status, expires_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?)`,
      a.id,
      a.reply_id,
      a.tool_call_id,
      a.tool,
      a.args,
      a.expires_at,
    );
  }

  get(id: string): ApprovalRow | null {
    return this.sql.exec<ApprovalRow>('SELECT * FROM approvals WHERE id = ?', id).toArray()[0] ?? null;
  }

  byCall(replyId: string, toolCallId: string): ApprovalRow | null {
    return (
      this.sql
        .exec<ApprovalRow>(
          'SELECT * FROM approvals WHERE reply_id = ? AND tool_call_id = ?',
          replyId,
          toolCallId,
        )
        .toArray()[0] ?? null
    );
  }

  pending(replyId?: string): ApprovalRow[] {
    return (
      replyId === undefined
        ? this.sql.exec<ApprovalRow>("SELECT * FROM approvals WHERE status = 'pending' ORDER BY expires_at")
        : this.sql.exec<ApprovalRow>(
            "SELECT * FROM approvals WHERE status = 'pending' AND reply_id = ?",
            replyId,
          )
    ).toArray();
  }

  answer(id: string, status: ApprovalRow['status'], reason: string | null) {
    return this.sql.exec(
      "UPDATE approvals SET status = ?, reason = ? WHERE id = ? AND status = 'pending'",
      status,
      reason,
      id,
    ).rowsWritten;
  }
}
