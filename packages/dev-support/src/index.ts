export { freePort } from './free-port.ts';
export { type ReceivedMail, type SmtpSink, startSmtpSink } from './smtp-sink.ts';
