// Canonical spellings of the model's enums: the words users write in pragmas and the
// strings the metadata JSON uses. One table per enum so the two can never drift apart.
#include "luminar/model/Directive.h"

namespace luminar::model {

const char *spelling(PragmaKind kind) {
  switch (kind) {
  case PragmaKind::ParallelFor: return "parallel for";
  case PragmaKind::Parallel: return "parallel";
  case PragmaKind::Concurrent: return "concurrent";
  case PragmaKind::Spawn: return "spawn";
  case PragmaKind::Defer: return "defer";
  case PragmaKind::Critical: return "critical";
  case PragmaKind::Atomic: return "atomic";
  }
  return "?";
}

const char *spelling(ClauseKind kind) {
  switch (kind) {
  case ClauseKind::NumThreads: return "num_threads";
  case ClauseKind::Schedule: return "schedule";
  case ClauseKind::Reduction: return "reduction";
  case ClauseKind::Private: return "private";
  case ClauseKind::Firstprivate: return "firstprivate";
  case ClauseKind::Shared: return "shared";
  case ClauseKind::OnError: return "on_error";
  case ClauseKind::Timeout: return "timeout";
  case ClauseKind::MaxConcurrency: return "max_concurrency";
  case ClauseKind::Mode: return "mode";
  case ClauseKind::If: return "if";
  case ClauseKind::Name: return "name";
  case ClauseKind::Priority: return "priority";
  case ClauseKind::Blocking: return "blocking";
  }
  return "?";
}

const char *spelling(ScheduleKind kind) {
  return kind == ScheduleKind::Static ? "static" : "dynamic";
}

const char *spelling(ErrorStrategy kind) {
  switch (kind) {
  case ErrorStrategy::Stop: return "stop";
  case ErrorStrategy::Collect: return "collect";
  case ErrorStrategy::Ignore: return "ignore";
  }
  return "?";
}

const char *spelling(ModeRequest kind) {
  switch (kind) {
  case ModeRequest::Auto: return "auto";
  case ModeRequest::BareMetal: return "bare_metal";
  case ModeRequest::Runtime: return "runtime";
  }
  return "?";
}

const char *spelling(Priority kind) {
  switch (kind) {
  case Priority::Low: return "low";
  case Priority::Normal: return "normal";
  case Priority::High: return "high";
  case Priority::Critical: return "critical";
  }
  return "?";
}

const char *spelling(ReductionOp op) {
  switch (op) {
  case ReductionOp::Add: return "+";
  case ReductionOp::Mul: return "*";
  case ReductionOp::Sub: return "-";
  case ReductionOp::BitAnd: return "&";
  case ReductionOp::BitOr: return "|";
  case ReductionOp::BitXor: return "^";
  case ReductionOp::LogAnd: return "&&";
  case ReductionOp::LogOr: return "||";
  case ReductionOp::Min: return "min";
  case ReductionOp::Max: return "max";
  }
  return "?";
}

}  // namespace luminar::model

#include "luminar/model/BlockReport.h"

namespace luminar::model {

const char *spelling(Feature feature) {
  switch (feature) {
  case Feature::TaskScheduling: return "TaskScheduling";
  case Feature::ChannelCommunication: return "ChannelCommunication";
  case Feature::ErrorPropagation: return "ErrorPropagation";
  case Feature::LoadBalancing: return "LoadBalancing";
  case Feature::StreamProcessing: return "StreamProcessing";
  case Feature::AsyncIO: return "AsyncIO";
  case Feature::Monitoring: return "Monitoring";
  case Feature::Cancellation: return "Cancellation";
  case Feature::Select: return "Select";
  case Feature::DynamicTaskCreation: return "DynamicTaskCreation";
  }
  return "?";
}

const char *spelling(ConcurrencyMode mode) {
  return mode == ConcurrencyMode::BareMetal ? "bare_metal" : "runtime_assisted";
}

const char *spelling(ModeSource source) {
  switch (source) {
  case ModeSource::Analyzer: return "analyzer";
  case ModeSource::Clause: return "clause";
  case ModeSource::CommandLine: return "command_line";
  }
  return "?";
}

}  // namespace luminar::model
