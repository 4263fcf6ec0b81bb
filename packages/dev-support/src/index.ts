export { freePort } from './free-port.ts';
export {
  type ReceivedMail,
  type SmtpSink,
  type SmtpSinkFaults,
  type SmtpSinkStats,
  startSmtpSink,
} from './smtp-sink.ts';
